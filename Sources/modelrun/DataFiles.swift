import ArgumentParser
import CLISupport
import Foundation
import ModelFormat
import ModelRuntime

/// `--label-column INDEX|NAME`: a 0-based index (negative counts from the end) or a header name.
extension CSV.LabelColumn: ExpressibleByArgument {
    public init?(argument: String) {
        if let index = Int(argument) { self = .index(index) } else if argument.isEmpty { return nil } else {
            self = .name(argument)
        }
    }
}

/// Reads a data file for a model: a CSV's feature columns are named after the first graph
/// input and its label column after the first head's target. The label column is `labelColumn`
/// when given; otherwise the column whose header is the target's name when the file has one,
/// else the last column.
func readDataset(_ path: String, for model: ProtoModel, labelColumn: CSV.LabelColumn?) throws -> Dataset {
    let feature = model.graph.input.first?.name ?? "x"
    let target = model.head.first?.target ?? "label"
    let label = target == feature ? "label" : target
    let url = URL(fileURLWithPath: path)
    func read(_ column: CSV.LabelColumn) throws(DataError) -> Dataset {
        try Dataset(contentsOf: url, labelColumn: column, featureName: feature, labelName: label)
    }
    do {
        if let labelColumn { return try read(labelColumn) }
        do {
            return try read(.name(target))
        } catch .labelColumn {
            return try read(.last)  // no header, or no column named after the target
        }
    } catch {
        Output.failure(error.code, error.description)
        throw InvalidInput()
    }
}
