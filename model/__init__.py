"""Tag conflict news with event types, actors and casualties (see CODEBOOK.md).

from model import load, predict
tagger = load("runs/model")                  # or load() for the default model
tags = tagger.predict(["text 1", "text 2"])  # list of results, same order
tag = predict("one article text")            # default model, one result
"""

from model.api import Tagger, load, predict

__all__ = ["Tagger", "load", "predict"]
__version__ = "0.1.0"
