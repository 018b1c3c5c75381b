"""Tests of publisher import (publisher/importers/)."""
