"""Forges: one folder per platform (GitHub, later GitLab), each a source and a publisher."""
