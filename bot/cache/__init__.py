"""The response cache: answers reused when the same model would see the same text again."""
