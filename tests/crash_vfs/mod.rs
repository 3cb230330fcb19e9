//! A SQLite VFS that can lose power, for tests/power_loss.rs. It wraps the
//! default VFS: every write and truncate of a file waits in memory until
//! that file is synced (reads and sizes see it on top of the file: a
//! process reads its own writes, as through an OS page cache), and a sync
//! puts the file's waiting writes on disk and then syncs the real file.
//! `Disk::crash` is the power cut: from then on nothing reaches the disk,
//! and `Disk::recover` throws away every write that was never synced.
//! `Disk::fill` makes the disk full: every write is refused with
//! SQLITE_FULL until `Disk::empty` (tests/disk_full.rs).
//!
//! The model, kept simple (SQLite's own test6.c "crash" VFS also tears and
//! reorders unsynced writes; this one only drops them):
//! - A sync lands whole or, if the power went first, not at all.
//! - Writes waiting for a sync are kept per file path, shared by every
//!   handle on the file, as an OS keeps one page cache per file; closing a
//!   handle does not sync.
//! - Creating and deleting a file take effect at once before the crash and
//!   not at all after it (the model loses data, not directory entries).
//! - The WAL index (the xShm* methods, the -shm file) passes straight
//!   through: SQLite rebuilds it from the WAL when it reopens after a crash.
//! - After the crash the doomed process keeps reading its own writes, so it
//!   runs down through its ordinary code paths; its syncs and deletes
//!   answer OK and do nothing, and it can open no file.

// Shared by power_loss.rs and disk_full.rs, each using part of it.
#![allow(dead_code)]

use rusqlite::ffi;
use std::collections::{BTreeMap, HashMap};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One simulated disk: the files written through one registered VFS name.
/// Locks are taken in the order `crashed`, `files`, a file's buffer.
pub struct Disk {
    /// The VFS wrapped (SQLite's default), which does the real I/O.
    real: *mut ffi::sqlite3_vfs,
    /// Held by a sync while it puts its writes on disk, and by the crash:
    /// so a sync lands whole before the power cut or not at all.
    crashed: Mutex<bool>,
    /// The writes waiting for a sync, by the full path SQLite opens the
    /// file with.
    files: Mutex<HashMap<Vec<u8>, Arc<Mutex<Buffer>>>>,
    /// Handles open through this VFS; `recover` needs them all closed.
    open_files: AtomicUsize,
    /// Writes, truncates and syncs left until the crash is thrown from
    /// inside one of them (0: not armed).
    countdown: AtomicU64,
    /// No room left: writes are refused with SQLITE_FULL.
    full: AtomicBool,
}

// SAFETY: `real` points to the default VFS object, which SQLite keeps
// alive for the life of the process and whose methods SQLite itself calls
// from any thread; everything else in `Disk` is behind a lock or atomic.
unsafe impl Send for Disk {}
unsafe impl Sync for Disk {}

impl Disk {
    /// Registers a VFS called `name` over SQLite's default VFS (not as the
    /// default) and returns its disk. Both live for the rest of the process:
    /// a registered VFS must outlive every connection that might use it.
    pub fn register(name: &str) -> &'static Disk {
        // SAFETY: a null name asks for the default VFS; SQLite initialises
        // itself first and returns a pointer valid for the whole process.
        let real = unsafe { ffi::sqlite3_vfs_find(ptr::null()) };
        assert!(!real.is_null(), "SQLite has no default VFS");
        let disk: &'static Disk = Box::leak(Box::new(Disk {
            real,
            crashed: Mutex::new(false),
            files: Mutex::new(HashMap::new()),
            open_files: AtomicUsize::new(0),
            countdown: AtomicU64::new(0),
            full: AtomicBool::new(false),
        }));
        let name = CString::new(name).expect("a VFS name without NUL");
        // SAFETY: `real` is valid (above); reading its plain fields is fine.
        let (real_file_size, max_path) = unsafe { ((*real).szOsFile, (*real).mxPathname) };
        let vfs = Box::leak(Box::new(ffi::sqlite3_vfs {
            // Version 2: no xSetSystemCall family, which the wrapper has no
            // use for.
            iVersion: 2,
            // SQLite allocates this much per file: the shim's part, then
            // the real VFS's file right after it (see `ShimFile`).
            szOsFile: c_int::try_from(std::mem::size_of::<ShimFile>()).expect("a small struct")
                + real_file_size,
            mxPathname: max_path,
            pNext: ptr::null_mut(),
            zName: name.into_raw(),
            pAppData: disk as *const Disk as *mut c_void,
            xOpen: Some(vfs_open),
            xDelete: Some(vfs_delete),
            xAccess: Some(vfs_access),
            xFullPathname: Some(vfs_full_pathname),
            xDlOpen: Some(vfs_dl_open),
            xDlError: Some(vfs_dl_error),
            xDlSym: Some(vfs_dl_sym),
            xDlClose: Some(vfs_dl_close),
            xRandomness: Some(vfs_randomness),
            xSleep: Some(vfs_sleep),
            xCurrentTime: Some(vfs_current_time),
            xGetLastError: Some(vfs_get_last_error),
            xCurrentTimeInt64: Some(vfs_current_time_int64),
            xSetSystemCall: None,
            xGetSystemCall: None,
            xNextSystemCall: None,
        }));
        // SAFETY: `vfs` is leaked, so it outlives every connection; its
        // pAppData points to the leaked `disk`.
        let rc = unsafe { ffi::sqlite3_vfs_register(vfs, 0) };
        assert_eq!(rc, ffi::SQLITE_OK, "registering the crash VFS");
        disk
    }

    /// The power cut: from now on no write, truncate, sync or delete
    /// reaches the disk. Waits for a sync under way to land first.
    pub fn crash(&self) {
        *lock(&self.crashed) = true;
        self.countdown.store(0, Ordering::SeqCst);
    }

    /// The disk is full: every write from now on fails with SQLITE_FULL.
    pub fn fill(&self) {
        self.full.store(true, Ordering::SeqCst);
    }

    /// Room again (a file was deleted elsewhere).
    pub fn empty(&self) {
        self.full.store(false, Ordering::SeqCst);
    }

    pub fn crashed(&self) -> bool {
        *lock(&self.crashed)
    }

    /// Throws the crash from inside the `n`th write, truncate or sync from
    /// now (which is then lost with the rest): a power cut in the middle of
    /// a commit, at a point chosen by count instead of by clock.
    pub fn crash_at_io(&self, n: u64) {
        self.countdown.store(n, Ordering::SeqCst);
    }

    /// Power back on: every write never synced is gone (answers how many
    /// bytes), and the disk takes writes again. Every handle through this
    /// VFS must be closed first.
    pub fn recover(&self) -> u64 {
        assert_eq!(
            self.open_files.load(Ordering::SeqCst),
            0,
            "a connection through the crash VFS is still open"
        );
        let mut crashed = lock(&self.crashed);
        let mut files = lock(&self.files);
        let dropped = files
            .values()
            .filter_map(|buffer| lock(buffer).unsynced.take())
            .map(|unsynced| unsynced.bytes())
            .sum();
        files.clear();
        *crashed = false;
        self.countdown.store(0, Ordering::SeqCst);
        dropped
    }

    /// Counts one write, truncate or sync towards an armed `crash_at_io`.
    fn tick(&self) {
        let hit = self
            .countdown
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            == Ok(1);
        if hit {
            self.crash();
        }
    }
}

/// A poisoned lock only means a test thread panicked; the data is still
/// what it was, and a panic must not start inside a callback from C.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Where a file's bytes are kept for good: the real file, or in this
/// module's own test a `Vec<u8>` standing in for it. Errors are SQLite's.
trait Backing {
    /// Fills `out` from `offset`, zeros past the end; true when it was short.
    fn read(&mut self, out: &mut [u8], offset: u64) -> Result<bool, c_int>;
    fn write(&mut self, data: &[u8], offset: u64) -> Result<(), c_int>;
    /// Sets the size, cutting the file or growing it with zeros.
    fn truncate(&mut self, size: u64) -> Result<(), c_int>;
    fn size(&mut self) -> Result<u64, c_int>;
}

/// A file's writes that no sync has put on disk yet.
#[derive(Default)]
struct Buffer {
    /// None: the file on disk is the whole truth.
    unsynced: Option<Unsynced>,
}

impl Buffer {
    /// Reads as the process sees the file: the disk with the unsynced writes
    /// on top. True when the read was short (the rest of `out` is zeros).
    fn read(&self, disk: &mut impl Backing, out: &mut [u8], offset: u64) -> Result<bool, c_int> {
        let Some(unsynced) = &self.unsynced else {
            return disk.read(out, offset);
        };
        out.fill(0);
        // The disk's bytes count only below a truncation still waiting;
        // past it the file reads as zeros until written again.
        let disk_end = unsynced.cut.unwrap_or(u64::MAX);
        if offset < disk_end {
            let n = (out.len() as u64).min(disk_end - offset) as usize;
            // Short or not, what counts is the size the process sees, below.
            disk.read(&mut out[..n], offset)?;
        }
        unsynced.overlay(offset, out);
        // Nothing is written past `size`, so those bytes are zeros already.
        Ok(offset + out.len() as u64 > unsynced.size)
    }

    fn write(&mut self, disk: &mut impl Backing, data: &[u8], offset: u64) -> Result<(), c_int> {
        self.unsynced(disk)?.write(offset, data);
        Ok(())
    }

    fn truncate(&mut self, disk: &mut impl Backing, size: u64) -> Result<(), c_int> {
        self.unsynced(disk)?.truncate(size);
        Ok(())
    }

    fn size(&self, disk: &mut impl Backing) -> Result<u64, c_int> {
        match &self.unsynced {
            Some(unsynced) => Ok(unsynced.size),
            None => disk.size(),
        }
    }

    /// Puts the unsynced writes on disk: the truncation first (the extents
    /// were clipped to it when it happened), then the writes, then the size
    /// (a truncation that grew the file leaves zeros past the last write).
    /// On failure they stay: putting them again gives the same file.
    fn flush(&mut self, disk: &mut impl Backing) -> Result<(), c_int> {
        let Some(unsynced) = &self.unsynced else {
            return Ok(());
        };
        if let Some(cut) = unsynced.cut {
            disk.truncate(cut)?;
        }
        for (start, bytes) in &unsynced.extents {
            disk.write(bytes, *start)?;
        }
        if disk.size()? != unsynced.size {
            disk.truncate(unsynced.size)?;
        }
        self.unsynced = None;
        Ok(())
    }

    fn unsynced(&mut self, disk: &mut impl Backing) -> Result<&mut Unsynced, c_int> {
        if self.unsynced.is_none() {
            self.unsynced = Some(Unsynced::new(disk.size()?));
        }
        Ok(self.unsynced.as_mut().expect("just set"))
    }
}

struct Unsynced {
    /// The file's size as the process sees it.
    size: u64,
    /// The lowest size the file was truncated to since the last sync: the
    /// disk's bytes from here on are gone.
    cut: Option<u64>,
    /// Bytes written, by offset; the extents never overlap.
    extents: BTreeMap<u64, Vec<u8>>,
}

impl Unsynced {
    fn new(size: u64) -> Unsynced {
        Unsynced {
            size,
            cut: None,
            extents: BTreeMap::new(),
        }
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let end = offset + data.len() as u64;
        // The extents this write overlaps keep only what lies outside it.
        // Split, not merged: a log appended frame by frame would otherwise
        // grow one extent copied whole at every write.
        let overlapped: Vec<u64> = self
            .extents
            .range(..end)
            .rev()
            .take_while(|(start, bytes)| *start + bytes.len() as u64 > offset)
            .map(|(start, _)| *start)
            .collect();
        for start in overlapped {
            let old = self.extents.remove(&start).expect("an overlapped extent");
            let old_end = start + old.len() as u64;
            if start < offset {
                self.extents
                    .insert(start, old[..(offset - start) as usize].to_vec());
            }
            if old_end > end {
                self.extents
                    .insert(end, old[(end - start) as usize..].to_vec());
            }
        }
        self.extents.insert(offset, data.to_vec());
        self.size = self.size.max(end);
    }

    fn truncate(&mut self, size: u64) {
        self.extents.retain(|start, _| *start < size);
        if let Some((start, bytes)) = self.extents.range_mut(..size).next_back() {
            bytes.truncate((size - start).min(bytes.len() as u64) as usize);
        }
        self.cut = Some(self.cut.map_or(size, |cut| cut.min(size)));
        self.size = size;
    }

    /// Lays the extents over `out`, which holds the file's bytes from
    /// `offset` as the real file has them.
    fn overlay(&self, offset: u64, out: &mut [u8]) {
        let end = offset + out.len() as u64;
        for (start, bytes) in self.extents.range(..end).rev() {
            let extent_end = start + bytes.len() as u64;
            if extent_end <= offset {
                break;
            }
            let from = offset.max(*start);
            let to = end.min(extent_end);
            out[(from - offset) as usize..(to - offset) as usize]
                .copy_from_slice(&bytes[(from - start) as usize..(to - start) as usize]);
        }
    }

    fn bytes(&self) -> u64 {
        self.extents.values().map(|b| b.len() as u64).sum()
    }
}

/// What SQLite allocates for each file opened through this VFS
/// (`szOsFile` bytes, suitably aligned): this struct, then the real VFS's
/// file. `base` comes first because SQLite sees a `*mut sqlite3_file`.
#[repr(C)]
struct ShimFile {
    base: ffi::sqlite3_file,
    disk: &'static Disk,
    /// Shared through `Disk::files` for a named file; a nameless temporary
    /// file has one of its own.
    buffer: Arc<Mutex<Buffer>>,
    /// The real VFS's file, in the same allocation right after this struct.
    real: *mut ffi::sqlite3_file,
}

// The real file's place right after the shim's part is 8-aligned, as
// SQLite's allocation is, only if this holds.
const _: () = assert!(std::mem::size_of::<ShimFile>().is_multiple_of(8));

/// The `Disk` behind a VFS this module registered.
///
/// # Safety
/// `vfs` must be one registered by `Disk::register` (SQLite passes each
/// VFS's own pointer to its methods).
unsafe fn disk_of(vfs: *mut ffi::sqlite3_vfs) -> &'static Disk {
    &*((*vfs).pAppData as *const Disk)
}

/// The shim's part of an open file.
///
/// # Safety
/// `file` must have been opened by `vfs_open` and not yet closed: only then
/// does SQLite call the methods of `IO_METHODS` with it, and only then is
/// a `ShimFile` written at its start.
unsafe fn shim<'a>(file: *mut ffi::sqlite3_file) -> &'a ShimFile {
    &*(file as *const ShimFile)
}

/// The real file's method table.
///
/// # Safety
/// `real` must be a file the real VFS opened successfully (its pMethods is
/// then set and stays valid until xClose).
unsafe fn methods<'a>(real: *mut ffi::sqlite3_file) -> &'a ffi::sqlite3_io_methods {
    &*(*real).pMethods
}

/// A file the real VFS opened, as a `Backing`.
struct RealFile(*mut ffi::sqlite3_file);

impl RealFile {
    /// # Safety
    /// `file` must be a file the real VFS opened successfully and will not
    /// close while the `RealFile` lives; that is what each method relies on.
    unsafe fn new(file: *mut ffi::sqlite3_file) -> RealFile {
        RealFile(file)
    }

    fn methods(&self) -> &ffi::sqlite3_io_methods {
        // SAFETY: `new`'s contract.
        unsafe { methods(self.0) }
    }
}

fn rc(code: c_int) -> Result<(), c_int> {
    if code == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(code)
    }
}

impl Backing for RealFile {
    fn read(&mut self, out: &mut [u8], offset: u64) -> Result<bool, c_int> {
        let amount = c_int::try_from(out.len()).map_err(|_| ffi::SQLITE_IOERR_READ)?;
        let read = self.methods().xRead.expect("xRead");
        // SAFETY: `new`'s contract; `out` is `amount` writable bytes.
        let code = unsafe { read(self.0, out.as_mut_ptr().cast(), amount, offset as i64) };
        // SQLite's VFS contract: a short read zero-fills the rest.
        match code {
            ffi::SQLITE_IOERR_SHORT_READ => Ok(true),
            code => rc(code).map(|()| false),
        }
    }

    fn write(&mut self, data: &[u8], offset: u64) -> Result<(), c_int> {
        let amount = c_int::try_from(data.len()).map_err(|_| ffi::SQLITE_IOERR_WRITE)?;
        let write = self.methods().xWrite.expect("xWrite");
        // SAFETY: `new`'s contract; `data` is `amount` readable bytes.
        rc(unsafe { write(self.0, data.as_ptr().cast(), amount, offset as i64) })
    }

    fn truncate(&mut self, size: u64) -> Result<(), c_int> {
        let truncate = self.methods().xTruncate.expect("xTruncate");
        // SAFETY: `new`'s contract.
        rc(unsafe { truncate(self.0, size as i64) })
    }

    fn size(&mut self) -> Result<u64, c_int> {
        let file_size = self.methods().xFileSize.expect("xFileSize");
        let mut size: ffi::sqlite3_int64 = 0;
        // SAFETY: `new`'s contract; `size` is a valid place to write.
        rc(unsafe { file_size(self.0, &mut size) })?;
        Ok(size as u64)
    }
}

unsafe extern "C" fn vfs_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let disk = disk_of(vfs);
    // pMethods null tells SQLite there is nothing to close on failure.
    (*file).pMethods = ptr::null();
    if disk.crashed() {
        return ffi::SQLITE_CANTOPEN;
    }
    // SQLite allocated szOsFile bytes at `file`, 8-aligned; the size of
    // ShimFile is a multiple of 8 (it holds pointers), so the real file
    // right after it is aligned as the real VFS expects.
    let real = file
        .cast::<u8>()
        .add(std::mem::size_of::<ShimFile>())
        .cast::<ffi::sqlite3_file>();
    let real_vfs = disk.real;
    // The name goes through untouched: the real VFS reads URI parameters
    // stored after it.
    let rc = ((*real_vfs).xOpen.expect("xOpen"))(real_vfs, name, real, flags, out_flags);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    let buffer = if name.is_null() {
        Arc::default()
    } else {
        let path = CStr::from_ptr(name).to_bytes().to_vec();
        lock(&disk.files).entry(path).or_default().clone()
    };
    // SAFETY of the write: the memory is ours (szOsFile) and holds no value
    // yet, so nothing is overwritten without a drop; vfs_close drops it.
    ptr::write(
        file.cast::<ShimFile>(),
        ShimFile {
            base: ffi::sqlite3_file {
                pMethods: &IO_METHODS,
            },
            disk,
            buffer,
            real,
        },
    );
    disk.open_files.fetch_add(1, Ordering::SeqCst);
    ffi::SQLITE_OK
}

unsafe extern "C" fn vfs_delete(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    sync_dir: c_int,
) -> c_int {
    let disk = disk_of(vfs);
    let crashed = lock(&disk.crashed);
    if *crashed {
        return ffi::SQLITE_OK;
    }
    // The file goes, and with it whatever was waiting to be written to it;
    // a file made later under the same name starts clean.
    lock(&disk.files).remove(CStr::from_ptr(name).to_bytes());
    let real = disk.real;
    ((*real).xDelete.expect("xDelete"))(real, name, sync_dir)
}

// The VFS methods below do no file I/O of their own: they hand the call to
// the real VFS, with its own pointer (which the real methods may use).

unsafe extern "C" fn vfs_access(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    flags: c_int,
    out: *mut c_int,
) -> c_int {
    let real = disk_of(vfs).real;
    ((*real).xAccess.expect("xAccess"))(real, name, flags, out)
}

unsafe extern "C" fn vfs_full_pathname(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n_out: c_int,
    out: *mut c_char,
) -> c_int {
    let real = disk_of(vfs).real;
    ((*real).xFullPathname.expect("xFullPathname"))(real, name, n_out, out)
}

unsafe extern "C" fn vfs_dl_open(vfs: *mut ffi::sqlite3_vfs, name: *const c_char) -> *mut c_void {
    let real = disk_of(vfs).real;
    match (*real).xDlOpen {
        Some(dl_open) => dl_open(real, name),
        None => ptr::null_mut(),
    }
}

unsafe extern "C" fn vfs_dl_error(vfs: *mut ffi::sqlite3_vfs, n: c_int, out: *mut c_char) {
    let real = disk_of(vfs).real;
    if let Some(dl_error) = (*real).xDlError {
        dl_error(real, n, out);
    }
}

type DlSymbol = Option<unsafe extern "C" fn(*mut ffi::sqlite3_vfs, *mut c_void, *const c_char)>;

unsafe extern "C" fn vfs_dl_sym(
    vfs: *mut ffi::sqlite3_vfs,
    handle: *mut c_void,
    symbol: *const c_char,
) -> DlSymbol {
    let real = disk_of(vfs).real;
    (*real)
        .xDlSym
        .and_then(|dl_sym| dl_sym(real, handle, symbol))
}

unsafe extern "C" fn vfs_dl_close(vfs: *mut ffi::sqlite3_vfs, handle: *mut c_void) {
    let real = disk_of(vfs).real;
    if let Some(dl_close) = (*real).xDlClose {
        dl_close(real, handle);
    }
}

unsafe extern "C" fn vfs_randomness(
    vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    let real = disk_of(vfs).real;
    ((*real).xRandomness.expect("xRandomness"))(real, n, out)
}

unsafe extern "C" fn vfs_sleep(vfs: *mut ffi::sqlite3_vfs, micros: c_int) -> c_int {
    let real = disk_of(vfs).real;
    ((*real).xSleep.expect("xSleep"))(real, micros)
}

unsafe extern "C" fn vfs_current_time(vfs: *mut ffi::sqlite3_vfs, out: *mut f64) -> c_int {
    let real = disk_of(vfs).real;
    ((*real).xCurrentTime.expect("xCurrentTime"))(real, out)
}

unsafe extern "C" fn vfs_get_last_error(
    vfs: *mut ffi::sqlite3_vfs,
    n: c_int,
    out: *mut c_char,
) -> c_int {
    let real = disk_of(vfs).real;
    match (*real).xGetLastError {
        Some(get_last_error) => get_last_error(real, n, out),
        None => 0,
    }
}

unsafe extern "C" fn vfs_current_time_int64(
    vfs: *mut ffi::sqlite3_vfs,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    let real = disk_of(vfs).real;
    match (*real).xCurrentTimeInt64 {
        Some(current_time) => current_time(real, out),
        None => ffi::SQLITE_ERROR,
    }
}

/// Version 3: with the WAL index (xShm*) and memory-mapped reads, which
/// this VFS turns down (`file_fetch`) so every read comes through xRead.
static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(file_close),
    xRead: Some(file_read),
    xWrite: Some(file_write),
    xTruncate: Some(file_truncate),
    xSync: Some(file_sync),
    xFileSize: Some(file_size),
    xLock: Some(file_lock),
    xUnlock: Some(file_unlock),
    xCheckReservedLock: Some(file_check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(file_sector_size),
    xDeviceCharacteristics: Some(file_device_characteristics),
    xShmMap: Some(file_shm_map),
    xShmLock: Some(file_shm_lock),
    xShmBarrier: Some(file_shm_barrier),
    xShmUnmap: Some(file_shm_unmap),
    xFetch: Some(file_fetch),
    xUnfetch: Some(file_unfetch),
};

// Every method below is called by SQLite with a file `vfs_open` opened and
// `file_close` has not closed yet, which is what `shim` needs.

unsafe extern "C" fn file_close(file: *mut ffi::sqlite3_file) -> c_int {
    let shim_file = file.cast::<ShimFile>();
    let (disk, real) = ((*shim_file).disk, (*shim_file).real);
    let rc = (methods(real).xClose.expect("xClose"))(real);
    // Unsynced writes stay in the disk's buffer for the file (closing does
    // not sync); this handle's share of it goes. SQLite calls no method of
    // this file after xClose.
    ptr::drop_in_place(shim_file);
    disk.open_files.fetch_sub(1, Ordering::SeqCst);
    rc
}

unsafe extern "C" fn file_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let shim = shim(file);
    // SQLite hands a buffer of `amount` bytes for us to fill.
    let out = std::slice::from_raw_parts_mut(buf.cast::<u8>(), amount as usize);
    let read = lock(&shim.buffer).read(&mut RealFile::new(shim.real), out, offset as u64);
    match read {
        Ok(false) => ffi::SQLITE_OK,
        Ok(true) => ffi::SQLITE_IOERR_SHORT_READ,
        Err(code) => code,
    }
}

unsafe extern "C" fn file_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let shim = shim(file);
    shim.disk.tick();
    if shim.disk.full.load(Ordering::SeqCst) {
        return ffi::SQLITE_FULL;
    }
    // SQLite hands `amount` bytes to write.
    let data = std::slice::from_raw_parts(buf.cast::<u8>(), amount as usize);
    let written = lock(&shim.buffer).write(&mut RealFile::new(shim.real), data, offset as u64);
    written.err().unwrap_or(ffi::SQLITE_OK)
}

unsafe extern "C" fn file_truncate(
    file: *mut ffi::sqlite3_file,
    size: ffi::sqlite3_int64,
) -> c_int {
    let shim = shim(file);
    shim.disk.tick();
    let truncated = lock(&shim.buffer).truncate(&mut RealFile::new(shim.real), size as u64);
    truncated.err().unwrap_or(ffi::SQLITE_OK)
}

unsafe extern "C" fn file_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let shim = shim(file);
    shim.disk.tick();
    // Held until the real sync returns, so the crash cannot fall half-way.
    let crashed = lock(&shim.disk.crashed);
    if *crashed {
        // The power is off: the doomed process hears OK, nothing happens.
        return ffi::SQLITE_OK;
    }
    if let Err(code) = lock(&shim.buffer).flush(&mut RealFile::new(shim.real)) {
        return code;
    }
    (methods(shim.real).xSync.expect("xSync"))(shim.real, flags)
}

unsafe extern "C" fn file_size(
    file: *mut ffi::sqlite3_file,
    out: *mut ffi::sqlite3_int64,
) -> c_int {
    let shim = shim(file);
    match lock(&shim.buffer).size(&mut RealFile::new(shim.real)) {
        Ok(size) => {
            *out = size as ffi::sqlite3_int64;
            ffi::SQLITE_OK
        }
        Err(code) => code,
    }
}

unsafe extern "C" fn file_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let real = shim(file).real;
    (methods(real).xLock.expect("xLock"))(real, level)
}

unsafe extern "C" fn file_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let real = shim(file).real;
    (methods(real).xUnlock.expect("xUnlock"))(real, level)
}

unsafe extern "C" fn file_check_reserved_lock(
    file: *mut ffi::sqlite3_file,
    out: *mut c_int,
) -> c_int {
    let real = shim(file).real;
    (methods(real)
        .xCheckReservedLock
        .expect("xCheckReservedLock"))(real, out)
}

unsafe extern "C" fn file_control(
    file: *mut ffi::sqlite3_file,
    op: c_int,
    arg: *mut c_void,
) -> c_int {
    // Size and chunk hints would let the real VFS grow the file behind the
    // buffer's back; they are hints, so saying OK and doing nothing is allowed.
    if op == ffi::SQLITE_FCNTL_SIZE_HINT || op == ffi::SQLITE_FCNTL_CHUNK_SIZE {
        return ffi::SQLITE_OK;
    }
    let real = shim(file).real;
    (methods(real).xFileControl.expect("xFileControl"))(real, op, arg)
}

unsafe extern "C" fn file_sector_size(file: *mut ffi::sqlite3_file) -> c_int {
    let real = shim(file).real;
    (methods(real).xSectorSize.expect("xSectorSize"))(real)
}

unsafe extern "C" fn file_device_characteristics(file: *mut ffi::sqlite3_file) -> c_int {
    let real = shim(file).real;
    let real_caps = (methods(real)
        .xDeviceCharacteristics
        .expect("xDeviceCharacteristics"))(real);
    // Claim no more than the model keeps: a write never harms its
    // neighbours (powersafe overwrite), but nothing is atomic or ordered
    // across a missing sync, so SQLite must not skip any of its syncs.
    real_caps & ffi::SQLITE_IOCAP_POWERSAFE_OVERWRITE
}

unsafe extern "C" fn file_shm_map(
    file: *mut ffi::sqlite3_file,
    page: c_int,
    page_size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    let real = shim(file).real;
    match methods(real).xShmMap {
        Some(shm_map) => shm_map(real, page, page_size, extend, out),
        None => ffi::SQLITE_IOERR_SHMMAP,
    }
}

unsafe extern "C" fn file_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    let real = shim(file).real;
    match methods(real).xShmLock {
        Some(shm_lock) => shm_lock(real, offset, n, flags),
        None => ffi::SQLITE_IOERR_SHMLOCK,
    }
}

unsafe extern "C" fn file_shm_barrier(file: *mut ffi::sqlite3_file) {
    let real = shim(file).real;
    if let Some(shm_barrier) = methods(real).xShmBarrier {
        shm_barrier(real);
    }
}

unsafe extern "C" fn file_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    let real = shim(file).real;
    match methods(real).xShmUnmap {
        Some(shm_unmap) => shm_unmap(real, delete),
        None => ffi::SQLITE_OK,
    }
}

/// Memory-mapped reads would see the real file without the buffer; a null
/// page tells SQLite to read through xRead instead.
unsafe extern "C" fn file_fetch(
    _file: *mut ffi::sqlite3_file,
    _offset: ffi::sqlite3_int64,
    _amount: c_int,
    out: *mut *mut c_void,
) -> c_int {
    *out = ptr::null_mut();
    ffi::SQLITE_OK
}

unsafe extern "C" fn file_unfetch(
    _file: *mut ffi::sqlite3_file,
    _offset: ffi::sqlite3_int64,
    _page: *mut c_void,
) -> c_int {
    ffi::SQLITE_OK
}

/// The buffer's own test: it must behave as a plain file does, and keep
/// the disk untouched until a sync.
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    /// A file that takes every write at once.
    impl Backing for Vec<u8> {
        fn read(&mut self, out: &mut [u8], offset: u64) -> Result<bool, c_int> {
            out.fill(0);
            let len = self.len() as u64;
            if offset < len {
                let n = (len - offset).min(out.len() as u64) as usize;
                let at = offset as usize;
                out[..n].copy_from_slice(&self[at..at + n]);
            }
            Ok(offset + out.len() as u64 > len)
        }

        fn write(&mut self, data: &[u8], offset: u64) -> Result<(), c_int> {
            let (at, end) = (offset as usize, offset as usize + data.len());
            if self.len() < end {
                self.resize(end, 0);
            }
            self[at..end].copy_from_slice(data);
            Ok(())
        }

        fn truncate(&mut self, size: u64) -> Result<(), c_int> {
            self.resize(size as usize, 0);
            Ok(())
        }

        fn size(&mut self) -> Result<u64, c_int> {
            Ok(self.len() as u64)
        }
    }

    #[test]
    fn a_buffered_file_reads_like_a_plain_one_and_reaches_disk_only_at_sync() {
        for seed in 0..300 {
            let mut rng = SmallRng::seed_from_u64(seed);
            let len = rng.random_range(0..4000);
            let mut disk: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let mut plain = disk.clone();
            let mut synced = disk.clone();
            let mut buffer = Buffer::default();
            for step in 0..60 {
                match rng.random_range(0..10) {
                    0..=3 => {
                        let offset = rng.random_range(0..5000);
                        let data: Vec<u8> = (0..rng.random_range(1..700))
                            .map(|_| rng.random())
                            .collect();
                        buffer.write(&mut disk, &data, offset).unwrap();
                        plain.write(&data, offset).unwrap();
                    }
                    4 => {
                        let size = rng.random_range(0..5000);
                        buffer.truncate(&mut disk, size).unwrap();
                        Backing::truncate(&mut plain, size).unwrap();
                    }
                    5..=8 => {
                        let offset = rng.random_range(0..5000);
                        let amount = rng.random_range(1..900);
                        let (mut got, mut want) = (vec![7; amount], vec![9; amount]);
                        let short = buffer.read(&mut disk, &mut got, offset).unwrap();
                        let plain_short = plain.read(&mut want, offset).unwrap();
                        assert_eq!(got, want, "seed {seed} step {step}: read at {offset}");
                        assert_eq!(short, plain_short, "seed {seed} step {step}");
                    }
                    _ => {
                        buffer.flush(&mut disk).unwrap();
                        assert_eq!(disk, plain, "seed {seed} step {step}: after the sync");
                        synced = disk.clone();
                    }
                }
                assert_eq!(disk, synced, "seed {seed} step {step}: the disk moved");
                assert_eq!(buffer.size(&mut disk), Ok(plain.len() as u64));
            }
        }
    }
}
