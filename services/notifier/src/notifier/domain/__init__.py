"""The notifier's pure rules and objects (no Flask, Kafka, Redis or marshmallow)."""
