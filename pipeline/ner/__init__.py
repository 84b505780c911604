"""Statistical NER: data conversion, training and evaluation (training code
lives here, apart from the inference component in ``pipeline.stages.ner``)."""
