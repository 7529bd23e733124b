#include <hdf5.h>

// HDF5's type and property-list identifiers are macros over globals that H5open()
// fills in; Swift does not import such macros, so they are read through these.
static inline hid_t vz_h5t_native_float(void) { H5open(); return H5T_NATIVE_FLOAT; }
static inline hid_t vz_h5t_c_s1(void) { H5open(); return H5T_C_S1; }
static inline hid_t vz_h5p_file_access(void) { H5open(); return H5P_FILE_ACCESS; }
static inline hid_t vz_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t vz_h5s_all(void) { return H5S_ALL; }
static inline unsigned vz_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline hid_t vz_h5e_default(void) { return H5E_DEFAULT; }
