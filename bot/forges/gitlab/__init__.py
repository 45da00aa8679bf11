"""GitLab: merge requests on gitlab.com or a self-managed instance (GITLAB_URL)."""
