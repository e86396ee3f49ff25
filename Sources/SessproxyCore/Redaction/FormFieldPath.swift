/// The JSON location a form field's name stands for, so that a rule naming
/// `billing_address.given_name` covers the same field sent in a query or a form body:
/// `billing_address[given_name]` (the bracket form PHP, Rails and most form encoders write) or
/// `billing_address.given_name`. Brackets and dots separate keys; a number in brackets, or
/// nothing (`lines[]`), is an array index.
enum FormFieldPath {
    static func location(ofName name: String) -> [JSONPathComponent] {
        var location: [JSONPathComponent] = []
        var key = ""
        func endKey() {
            if !key.isEmpty { location.append(.key(key)) }
            key = ""
        }
        var rest = Substring(name)
        while let character = rest.first {
            if character == "." {
                endKey()
                rest = rest.dropFirst()
            } else if character == "[", let close = rest.firstIndex(of: "]") {
                endKey()
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                if inner.isEmpty {
                    location.append(.index(0))
                } else if inner.allSatisfy(\.isASCII), let index = Int(inner), index >= 0 {
                    location.append(.index(index))
                } else {
                    location.append(.key(String(inner)))
                }
                rest = rest[rest.index(after: close)...]
            } else {
                key.append(character)
                rest = rest.dropFirst()
            }
        }
        endKey()
        return location
    }
}
