/// The one error that names every operation of a file vizsite does not run, grouped by
/// operation in the order they first appear, each with up to three of its nodes or layers.
struct UnsupportedList {
    /// (`operator`, `operators`), (`node`, `nodes`): how the message counts.
    let kind: (one: String, many: String)
    let item: (one: String, many: String)
    private(set) var entries: [(operation: String, items: [String])] = []

    init(kind: (String, String), item: (String, String)) {
        self.kind = kind
        self.item = item
    }

    var isEmpty: Bool { entries.isEmpty }
    /// Exactly one operation, in one place: the caller's positioned one-line message fits.
    var isSingle: Bool { entries.count == 1 && entries[0].items.count == 1 }

    mutating func add(_ operation: String, at item: String) {
        if let i = entries.firstIndex(where: { $0.operation == operation }) {
            entries[i].items.append(item)
        } else {
            entries.append((operation, [item]))
        }
    }

    /// `2 operators are not supported in the file: A (nodes 'x', 'y'), B (node 'z'); <supported>`.
    func message(supported: String) -> String {
        let list = entries.map { entry in
            let names = entry.items.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
            let more = entry.items.count > 3 ? " and \(entry.items.count - 3) more" : ""
            return "\(entry.operation) (\(entry.items.count == 1 ? item.one : item.many) \(names)\(more))"
        }
        let count = entries.count == 1 ? "1 \(kind.one) is" : "\(entries.count) \(kind.many) are"
        return "\(count) not supported in the file: \(list.joined(separator: ", ")); \(supported)"
    }
}
