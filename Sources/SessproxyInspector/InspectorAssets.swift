import SessproxyCore

/// The page's files, compiled into the binary (`Page/`): plain HTML, CSS and JavaScript modules,
/// no build step. Served with their content types, `Cache-Control: no-cache` and an ETag, so a
/// browser revalidates instead of keeping a page from an older binary.
enum InspectorAssets {
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        let etag: String
    }

    static let assets: [String: Asset] = {
        func asset(_ bytes: [UInt8], _ type: String) -> Asset {
            // FNV-1a of the content: changes whenever the file does.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return Asset(bytes: bytes, contentType: type, etag: "\"\(String(hash, radix: 16))\"")
        }
        return [
            "": asset(PackageResources.index_html, "text/html; charset=utf-8"),
            "index.html": asset(PackageResources.index_html, "text/html; charset=utf-8"),
            "app.js": asset(PackageResources.app_js, "text/javascript; charset=utf-8"),
            "style.css": asset(PackageResources.style_css, "text/css; charset=utf-8"),
        ]
    }()

    static func response(for name: String, ifNoneMatch: String?) -> InspectorResponse {
        guard let asset = assets[name] else { return .error(404, "no such page file: \(name)") }
        var headers = [
            HeaderField(name: "Content-Type", value: asset.contentType), HeaderField(name: "Cache-Control", value: "no-cache"),
            HeaderField(name: "ETag", value: asset.etag), HeaderField(name: "X-Content-Type-Options", value: "nosniff"),
        ]
        if name.isEmpty || name.hasSuffix(".html") {
            headers.append(HeaderField(
                name: "Content-Security-Policy", value: "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"))
            headers.append(HeaderField(name: "Referrer-Policy", value: "no-referrer"))
        }
        if ifNoneMatch == asset.etag { return InspectorResponse(status: 304, headers: headers, body: .bytes([])) }
        return InspectorResponse(status: 200, headers: headers, body: .bytes(asset.bytes))
    }
}
