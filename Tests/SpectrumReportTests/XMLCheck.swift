import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Well-formedness check with Foundation's `XMLParser`, collecting the root's attributes,
/// every `<rect>`'s attributes and its `<title>` text.
final class XMLCheck: NSObject, XMLParserDelegate {
    struct Failure: Error, CustomStringConvertible { let description: String }

    var rootAttributes: [String: String] = [:]
    var rects: [(attributes: [String: String], title: String)] = []
    private var inRectTitle = false
    private var openRect: [String: String]? = nil
    private var titleText = ""

    @discardableResult
    static func parse(_ text: String) throws -> XMLCheck {
        let check = XMLCheck()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = check
        guard parser.parse() else {
            throw Failure(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)")
        }
        return check
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if name == "svg" && rootAttributes.isEmpty { rootAttributes = attributes }
        if name == "rect" { openRect = attributes; titleText = "" }
        if name == "title" && openRect != nil { inRectTitle = true }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inRectTitle { titleText += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" { inRectTitle = false }
        if name == "rect", let rect = openRect { rects.append((rect, titleText)); openRect = nil }
    }
}
