enum _PlaceholderSessproxyTesting {}
