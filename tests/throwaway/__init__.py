"""A throwaway content type, declared only in its own settings (tests/throwaway/settings.py),
to show that a declaration, a model and its table are all a new type needs
(tests/test_types.py runs checks_throwaway.py under those settings)."""
