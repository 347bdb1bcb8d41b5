//! Intentionally empty: the findings live in tests/.
