import SessproxyCore

/// Prints a JSON document in the stable (sorted, indented) form used by every `--format json`.
func printJSON(_ value: JSONValue) {
    print(JSONSerializer.string(value, style: .pretty))
}
