"""Generated tests that prove themselves: a test is offered only after it ran and passed.

frameworks.py says how a repository runs its tests, nearest.py which existing test to show
as a style example and where a new one goes, sandbox.py runs one file in a throwaway
checkout, and verify.py decides whether a generated test is kept.
"""
