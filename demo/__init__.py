"""The demo region and the platform runner shared by `make demo` and the end-to-end tests."""
