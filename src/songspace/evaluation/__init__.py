"""How much genre structure a latent space holds, read against chance and the majority class.

One module per job: methods (which latent files, which seeds), data (loading), clustering,
metrics, baselines, evaluate (one method over its runs), tsne, pictures, report.
"""
