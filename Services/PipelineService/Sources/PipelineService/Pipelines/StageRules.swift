import AtriumRuntime
import Foundation
import PipelineAPI

/// What a pipeline's stages must be (SPEC "Pipelines", "Automove").
enum StageRules {
    static let maxStages = 100

    /// A name, trimmed: 1 to 200 characters on one line.
    static func name(_ text: String, field: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200, !name.contains(where: \.isNewline) else {
            throw PipelineError.invalid("\(field) must be one line of 1 to 200 characters.")
        }
        return name
    }

    /// A condition from the wire: at least one tag id, each well-formed, none twice.
    static func condition(_ wire: Components.Schemas.TagCondition?) throws -> TagCondition? {
        guard let wire else { return nil }
        guard !wire.tagIds.isEmpty, wire.tagIds.count <= 50 else { throw PipelineError.invalid("A condition names 1 to 50 tags.") }
        for id in wire.tagIds where !Identifier.isWellFormed(id, prefix: "tag") {
            throw PipelineError.invalid("\(id) is not a tag id.")
        }
        guard Set(wire.tagIds).count == wire.tagIds.count else { throw PipelineError.invalid("A condition names each tag once.") }
        return TagCondition(match: TagCondition.Match(rawValue: wire.match.rawValue) ?? .any, tagIds: wire.tagIds)
    }

    /// `stages` renumbered 0…n-1 in their order, checked: one at least, at most `maxStages`, names
    /// unique in any case, and no automove on the last (there is nowhere to move to).
    static func settled(_ stages: [StageRecord]) throws -> [StageRecord] {
        guard !stages.isEmpty else { throw PipelineError.conflict("A pipeline keeps at least one stage.") }
        guard stages.count <= maxStages else { throw PipelineError.invalid("A pipeline has at most \(maxStages) stages.") }
        var names: Set<String> = []
        for stage in stages where !names.insert(stage.name.lowercased()).inserted {
            throw PipelineError.conflict("Two stages are named \(stage.name).")
        }
        if let last = stages.last, last.automove != 0 {
            throw PipelineError.conflict("\(last.name) would be the last stage with automove on; the last stage has nowhere to move to.")
        }
        return stages.enumerated().map { index, stage in
            var stage = stage
            stage.position = Int64(index)
            return stage
        }
    }

    static func stage(_ draft: Components.Schemas.StageDraft, pipeline: String) throws -> StageRecord {
        StageRecord(id: Identifier.make("stg"), pipelineId: pipeline, name: try name(draft.name, field: "A stage's name"), position: 0,
                    automove: (draft.automove ?? false) ? 1 : 0, condition: try condition(draft.condition)?.json)
    }
}
