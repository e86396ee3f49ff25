enum _PlaceholderSessproxyProxy {}
