// The `rxws/testing` entry: re-exports only.
