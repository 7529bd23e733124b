// The numerical core is CNN's own API: users of CNN see its tensors, layers and models.
@_exported import CNNCore
