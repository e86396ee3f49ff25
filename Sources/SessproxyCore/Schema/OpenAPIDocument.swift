import Yams

/// An OpenAPI 3.0 document reduced to what sessproxy asks of it: for a request (method and
/// concrete path), the schema of its JSON body and of each status's JSON answer, `$ref`s
/// resolved. Klarna's own document is built into the binary (`OpenAPIDocument.klarna`), so the
/// constraints replay keeps and fake Klarna enforces are the document's, not a copied list.
public struct OpenAPIDocument: Sendable {
    /// One operation of the document.
    public struct Operation: Sendable {
        public let method: String
        /// Path template with `{parameter}` segments.
        public let pathTemplate: String
        public let operationID: String?
        public let requestBody: SchemaNode?
        /// JSON answer schemas by status code (`"200"`); statuses without content are absent.
        public let responses: [String: SchemaNode]
        /// Every status the document lists for the operation, content or not.
        public let statuses: Set<String>
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let operations: [Operation]
    /// What a request is matched against, one per operation at the same index: looked up on
    /// every recorded exchange (twice), so the walk reads these small values in place instead
    /// of copying each `Operation` it passes.
    private let routes: [Route]
    /// The sessions operations (create, read, update), looked up once: replay asks per answer.
    let sessionsOperations: [KlarnaOperation: Operation]

    /// Klarna Payments API v1, as shipped in this package (`Schema/klarna-payments-openapi.yaml`).
    public static let klarna: OpenAPIDocument = {
        do {
            return try OpenAPIDocument(yaml: String(decoding: PackageResources.klarna_payments_openapi_yaml, as: UTF8.self))
        } catch {
            preconditionFailure("the built-in OpenAPI document does not load: \(error)")
        }
    }()

    public init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml) else { throw LoadError(description: "empty document") }
        var resolver = Resolver(schemas: root["components"]?["schemas"])
        var operations: [Operation] = []
        for (pathKey, pathItem) in root["paths"]?.mapping ?? [:] {
            guard let template = pathKey.string else { continue }
            for (methodKey, operation) in pathItem.mapping ?? [:] {
                guard let method = methodKey.string?.uppercased(),
                    ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method)
                else { continue }
                let requestBody = try operation["requestBody"]?["content"]?["application/json"]?["schema"].map { try resolver.node($0) }
                var responses: [String: SchemaNode] = [:]
                var statuses: Set<String> = []
                for (statusKey, response) in operation["responses"]?.mapping ?? [:] {
                    guard let status = statusKey.string else { continue }
                    statuses.insert(status)
                    if let schema = response["content"]?["application/json"]?["schema"] {
                        responses[status] = try resolver.node(schema)
                    }
                }
                operations.append(Operation(
                    method: method, pathTemplate: template, operationID: operation["operationId"]?.string,
                    requestBody: requestBody, responses: responses, statuses: statuses))
            }
        }
        let routes = operations.map { Route(method: $0.method, pathTemplate: $0.pathTemplate) }
        self.operations = operations
        self.routes = routes
        var sessionsOperations: [KlarnaOperation: Operation] = [:]
        for operation in [KlarnaOperation.create, .read, .update] {
            guard let example = Self.example(of: operation),
                let index = Self.operationIndex(method: example.method, path: example.path, routes: routes)
            else { continue }
            sessionsOperations[operation] = operations[index]
        }
        self.sessionsOperations = sessionsOperations
    }

    /// The operation a request is for: same method, and a template whose literal segments equal
    /// the path's (a `{parameter}` segment takes any one non-empty segment). A trailing slash and
    /// the query are ignored.
    public func operation(method: String, path: String) -> Operation? {
        Self.operationIndex(method: method, path: path, routes: routes).map { operations[$0] }
    }

    private static func operationIndex(method: String, path: String, routes: [Route]) -> Int? {
        let pathOnly = path.utf8.firstIndex(of: UInt8(ascii: "?")).map { path[..<$0] } ?? path[...]
        let segments = pathOnly.split(separator: "/")
        return routes.indices.first { routes[$0].matches(method: method, segments: segments) }
    }

    /// The schema of the JSON answer to a request with `status`, if the document gives one.
    public func responseSchema(method: String, path: String, status: Int) -> SchemaNode? {
        guard let index = Self.operationIndex(method: method, path: path, routes: routes) else { return nil }
        return operations[index].responses[String(status)]
    }

    /// The schema of a request's JSON body, if the document gives one.
    public func requestSchema(method: String, path: String) -> SchemaNode? {
        guard let index = Self.operationIndex(method: method, path: path, routes: routes) else { return nil }
        return operations[index].requestBody
    }

    /// An operation's method and path template, split into segments once (`nil` for a
    /// `{parameter}`).
    private struct Route: Sendable {
        let method: String
        let segments: [Substring?]

        init(method: String, pathTemplate: String) {
            self.method = method
            self.segments = pathTemplate.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : $0 }
        }

        func matches(method: String, segments path: [Substring]) -> Bool {
            guard segments.count == path.count, self.method.caseInsensitiveEquals(method) else { return false }
            // Bytes, not `==`: a path segment equals a template's literal only byte for byte,
            // and String's Unicode comparison cost more than the rest of the lookup.
            return zip(segments, path).allSatisfy { expected, actual in expected.map { $0.utf8.elementsEqual(actual.utf8) } ?? true }
        }
    }

    /// Turns schema YAML into `SchemaNode`s, each `#/components/schemas/NAME` built once.
    private struct Resolver {
        let schemas: Node?
        var built: [String: SchemaNode] = [:]
        var resolving: Set<String> = []

        init(schemas: Node?) {
            self.schemas = schemas
        }

        mutating func node(_ yaml: Node) throws -> SchemaNode {
            if let reference = yaml["$ref"]?.string {
                let prefix = "#/components/schemas/"
                guard reference.hasPrefix(prefix) else { throw LoadError(description: "unsupported $ref \(reference)") }
                let name = String(reference.dropFirst(prefix.count))
                if let done = built[name] { return done }
                guard let target = schemas?[name] else { throw LoadError(description: "unknown schema \(name)") }
                guard resolving.insert(name).inserted else { throw LoadError(description: "schema \(name) refers to itself") }
                let node = try self.node(target)
                resolving.remove(name)
                built[name] = node
                return node
            }
            var properties: [(String, SchemaNode)] = []
            for (key, value) in yaml["properties"]?.mapping ?? [:] {
                guard let name = key.string else { continue }
                properties.append((name, try node(value)))
            }
            return SchemaNode(
                kind: yaml["type"]?.string.flatMap(SchemaNode.Kind.init(rawValue:)),
                properties: properties,
                required: yaml["required"]?.sequence?.compactMap(\.string) ?? [],
                items: try yaml["items"].map { try node($0) },
                enumValues: yaml["enum"]?.sequence?.compactMap(\.string),
                pattern: yaml["pattern"]?.string.map(SchemaPattern.init),
                format: yaml["format"]?.string,
                minLength: yaml["minLength"]?.int,
                maxLength: yaml["maxLength"]?.int,
                minimum: yaml["minimum"]?.string.flatMap { Int64($0) },
                maximum: yaml["maximum"]?.string.flatMap { Int64($0) },
                minItems: yaml["minItems"]?.int,
                maxItems: yaml["maxItems"]?.int,
                uniqueItems: yaml["uniqueItems"]?.bool ?? false,
                readOnly: yaml["readOnly"]?.bool ?? false)
        }
    }
}

extension String {
    /// ASCII case-insensitive equality (HTTP methods), without building an upper-cased copy.
    fileprivate func caseInsensitiveEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { ($0 | 0x20) == ($1 | 0x20) }
    }
}
