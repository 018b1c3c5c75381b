"""Feeds: from the published article views and the settings to RSS 2.0, Atom 1.0 and JSON Feed
documents (site, tag and author feeds, RFC 5005 archives, OPML), their browser view, and the
checks every feed passes before it is written (the W3C Feed Validation Service's rules).
Documents are handed out unmade, with what they are made from; the incremental layer keeps them."""
