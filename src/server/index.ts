// The `rxws/server` entry: re-exports only.
