enum _PlaceholderSessproxyDiff {}
