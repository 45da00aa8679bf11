"""The ask task: a question about a change answered from its diff and the files it touches."""
