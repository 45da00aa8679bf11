"""How far each changed file may travel: its data class and the reason for it."""

from bot.classify.data_class import (
    Classification,
    FileClass,
    FileSecret,
    classify_change,
    classify_path,
)

__all__ = ["Classification", "FileClass", "FileSecret", "classify_change", "classify_path"]
