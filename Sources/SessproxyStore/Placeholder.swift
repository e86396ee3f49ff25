enum _PlaceholderSessproxyStore {}
