"""maysend: is this email marketing, and did this person agree?"""

__version__ = "0.1.0"
