// The `rxws/http` entry: re-exports only.
