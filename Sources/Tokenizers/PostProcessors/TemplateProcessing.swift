/// `TemplateProcessing`: the `single` template, a list of `{"SpecialToken": {"id": name}}` and
/// `{"Sequence": {"id": "A"}}` items; each special token expands to the `ids` given for its
/// name in `special_tokens`. The `pair` template is not used (pairs are never encoded).
public struct TemplateProcessing: PostProcessor {
    public let prefix: [Int32]
    public let suffix: [Int32]

    public init(config: ComponentConfig) throws {
        let specialTokens = try config.object("special_tokens")
        var before: [Int32] = []
        var after: [Int32] = []
        var seenSequence = false
        for (index, item) in try config.array("single").enumerated() {
            let field = "single[\(index)]"
            guard case let .object(entry) = item, entry.count == 1, let (kind, body) = entry.first,
                  case let .object(fields) = body, case let .string(name)? = fields["id"] else {
                throw config.fieldError(field, "{\"SpecialToken\"|\"Sequence\": {\"id\": …}}")
            }
            switch kind {
            case "Sequence":
                guard !seenSequence else { throw config.configurationError("\(field): more than one sequence in the single template") }
                seenSequence = true
            case "SpecialToken":
                guard case let .object(special)? = specialTokens[name], case let .array(idValues)? = special["ids"] else {
                    throw config.configurationError("\(field) names \(name.debugDescription), which special_tokens does not define")
                }
                let ids = try idValues.map { value -> Int32 in
                    guard let id = value.tokenId else { throw config.fieldError("special_tokens[\(name.debugDescription)].ids", "token ids") }
                    return id
                }
                if seenSequence { after += ids } else { before += ids }
            default:
                throw config.fieldError(field, "a SpecialToken or Sequence item")
            }
        }
        guard seenSequence else { throw config.configurationError("the single template has no sequence") }
        prefix = before
        suffix = after
    }
}
