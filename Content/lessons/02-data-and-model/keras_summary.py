"""Lesson 2's model summary in Keras, against vizsite's summary of the same network."""
from vizsite_snippets import agree, figure, keras_model

model = keras_model()

# --8<-- [start:box]
model.summary()                                    # the summary above, in Keras's words
parameters = model.count_params()                  # 1,199,882
# --8<-- [end:box]

agree("the parameter count", parameters, figure("summary")["total_parameters"], tolerance=0)
