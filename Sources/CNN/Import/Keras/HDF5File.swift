import CHDF5
import Foundation
import Synchronization

/// Read access to the parts of an HDF5 file Keras writes: groups, string attributes and
/// float datasets, through Debian's libhdf5 (a well-kept library; the format's B-trees,
/// heaps and filters are not worth writing again for a few weight tensors).
///
/// Debian's serial libhdf5 is not thread-safe, so every call runs under one lock.
final class HDF5File {
    struct Failure: Error {
        let reason: String
    }

    /// Guards every libhdf5 call; its value counts the in-memory images opened so far.
    private static let lock = Mutex(0)
    private let file: hid_t

    /// Opens the file at `path`.
    init(path: String) throws(Failure) {
        let id = Self.lock.withLock { _ in
            Self.silenceErrorStack()
            return H5Fopen(path, vz_h5f_acc_rdonly(), vz_h5p_default())
        }
        guard id >= 0 else { throw Failure(reason: "not an HDF5 file") }
        file = id
    }

    /// Opens an HDF5 file held in memory (`model.weights.h5` inside a `.keras` zip).
    init(bytes: [UInt8]) throws(Failure) {
        let id = Self.lock.withLock { imageCount -> hid_t in
            Self.silenceErrorStack()
            let access = H5Pcreate(vz_h5p_file_access())
            defer { H5Pclose(access) }
            H5Pset_fapl_core(access, max(bytes.count, 1), false)
            let copied = bytes.withUnsafeBytes {
                H5Pset_file_image(access, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count)
            }
            guard copied >= 0 else { return -1 }
            // A name of its own: libhdf5 hands back an already open file of the same name,
            // so two images opened at once under one name would read the first one's data.
            imageCount += 1
            return H5Fopen("memory-image-\(imageCount).h5", vz_h5f_acc_rdonly(), access)
        }
        guard id >= 0 else { throw Failure(reason: "not an HDF5 file") }
        file = id
    }

    deinit {
        Self.lock.withLock { _ in _ = H5Fclose(file) }
    }

    private static func silenceErrorStack() {
        H5Eset_auto2(vz_h5e_default(), nil, nil)
    }

    /// Whether an object (group or dataset) exists at `path`; a link on the way that is not
    /// a hard link (an external link to another file, a soft link) is an error.
    func exists(_ path: String) throws(Failure) -> Bool {
        try Self.lock.withLock { _ throws(Failure) -> Bool in try hardPathExists(path) }
    }

    /// Each component of `path` in turn, each a hard link inside this file: libhdf5 follows
    /// an external link to any file on the machine, so none is followed. Call under the lock.
    private func hardPathExists(_ path: String) throws(Failure) -> Bool {
        var partial = ""
        for component in path.split(separator: "/") {
            partial += (partial.isEmpty ? "" : "/") + component
            // Each parent must exist before asking for the child.
            guard H5Lexists(file, partial, vz_h5p_default()) > 0 else { return false }
            var info = H5L_info_t()
            guard H5Lget_info(file, partial, &info, vz_h5p_default()) >= 0 else { return false }
            guard info.type == H5L_TYPE_HARD else {
                let kind = info.type == H5L_TYPE_EXTERNAL ? "an external link to another file" : "a soft link"
                throw Failure(reason: "'\(partial)' is \(kind); vizsite reads only what the file itself holds")
            }
        }
        return true
    }

    /// `path` must be reached through hard links only. Call under the lock.
    private func requireHardPath(_ path: String) throws(Failure) {
        guard try hardPathExists(path) else { throw Failure(reason: "no object '\(path)'") }
    }

    /// The names of the members of the group at `path`, in name order.
    func members(of path: String) throws(Failure) -> [String] {
        try Self.lock.withLock { _ throws(Failure) -> [String] in
            try requireHardPath(path)
            let group = H5Gopen2(file, path, vz_h5p_default())
            guard group >= 0 else { throw Failure(reason: "no group '\(path)'") }
            defer { H5Gclose(group) }
            var info = H5G_info_t()
            guard H5Gget_info(group, &info) >= 0 else { throw Failure(reason: "cannot list '\(path)'") }
            var names: [String] = []
            for i in 0..<info.nlinks {
                let length = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, vz_h5p_default())
                guard length >= 0 else { continue }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, vz_h5p_default())
                names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    /// A string attribute, or the strings of a string-array attribute, of the object at
    /// `path` (fixed-length or variable-length, as h5py writes either); nil when absent.
    func strings(attribute name: String, of path: String) throws(Failure) -> [String]? {
        try Self.lock.withLock { _ throws(Failure) -> [String]? in
            try requireHardPath(path)
            guard H5Aexists_by_name(file, path, name, vz_h5p_default()) > 0 else { return nil }
            let attribute = H5Aopen_by_name(file, path, name, vz_h5p_default(), vz_h5p_default())
            guard attribute >= 0 else { throw Failure(reason: "cannot open attribute '\(name)' of '\(path)'") }
            defer { H5Aclose(attribute) }
            let type = H5Aget_type(attribute), space = H5Aget_space(attribute)
            defer {
                H5Tclose(type)
                H5Sclose(space)
            }
            guard H5Tget_class(type) == H5T_STRING else { return [] }  // an empty list is stored as floats
            let count = max(Int(H5Sget_simple_extent_npoints(space)), 0)
            guard count <= 1_000_000 else { throw Failure(reason: "attribute '\(name)' is too large") }
            let memory = H5Tcopy(vz_h5t_c_s1())
            defer { H5Tclose(memory) }
            if H5Tis_variable_str(type) > 0 {
                H5Tset_size(memory, -1)  // H5T_VARIABLE, (size_t)-1
                H5Tset_cset(memory, H5Tget_cset(type))
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                guard H5Aread(attribute, memory, &pointers) >= 0 else { throw Failure(reason: "cannot read '\(name)'") }
                defer { H5Dvlen_reclaim(memory, space, vz_h5p_default(), &pointers) }
                return pointers.map { $0.map { String(cString: $0) } ?? "" }
            }
            let size = H5Tget_size(type)
            guard size > 0, size <= 64 << 20, size * count <= 256 << 20 else {
                throw Failure(reason: "attribute '\(name)' is too large")
            }
            H5Tset_size(memory, size)
            var buffer = [UInt8](repeating: 0, count: size * count)
            guard H5Aread(attribute, memory, &buffer) >= 0 else { throw Failure(reason: "cannot read '\(name)'") }
            return (0..<count).map { i in
                let bytes = buffer[i * size..<(i + 1) * size].prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// A dataset's shape, without reading its values.
    func shape(_ path: String) throws(Failure) -> [Int] {
        try Self.lock.withLock { _ throws(Failure) -> [Int] in
            let dataset = try openDataset(path)
            defer { H5Dclose(dataset) }
            return try Self.shape(of: dataset, path)
        }
    }

    /// A dataset's shape and its values as Float32 (libhdf5 converts float16 and float64).
    func floats(_ path: String, limit: Int) throws(Failure) -> (shape: [Int], values: [Float]) {
        try Self.lock.withLock { _ throws(Failure) -> ([Int], [Float]) in
            let dataset = try openDataset(path)
            defer { H5Dclose(dataset) }
            let shape = try Self.shape(of: dataset, path)
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= limit else { throw Failure(reason: "dataset '\(path)' is too large") }
                count = product
            }
            var values = [Float](repeating: 0, count: count)
            guard H5Dread(dataset, vz_h5t_native_float(), vz_h5s_all(), vz_h5s_all(), vz_h5p_default(), &values) >= 0
            else { throw Failure(reason: "cannot read dataset '\(path)' as numbers") }
            return (shape, values)
        }
    }

    /// Opens a dataset whose values this file itself holds (the lock held by the caller).
    private func openDataset(_ path: String) throws(Failure) -> hid_t {
        try requireHardPath(path)
        let dataset = H5Dopen2(file, path, vz_h5p_default())
        guard dataset >= 0 else { throw Failure(reason: "no dataset '\(path)'") }
        // External storage and virtual datasets read their values from other files.
        let creation = H5Dget_create_plist(dataset)
        guard creation >= 0 else {
            H5Dclose(dataset)
            throw Failure(reason: "cannot read how dataset '\(path)' is stored")
        }
        defer { H5Pclose(creation) }
        if H5Pget_layout(creation) == H5D_VIRTUAL || H5Pget_external_count(creation) != 0 {
            H5Dclose(dataset)
            throw Failure(
                reason: "dataset '\(path)' keeps its values in other files (HDF5 external storage or a virtual "
                    + "dataset); vizsite reads only what the file itself holds")
        }
        return dataset
    }

    private static func shape(of dataset: hid_t, _ path: String) throws(Failure) -> [Int] {
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard (0...8).contains(rank) else { throw Failure(reason: "dataset '\(path)' has rank \(rank)") }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.prefix(rank).map { Int(clamping: $0) }
    }
}
