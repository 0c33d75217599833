//! SO_LINGER 0, so that closing a socket sends a TCP RST instead of a FIN.
//! `TcpStream::set_linger` is not stable yet, hence the system call.

use std::io;
use std::net::TcpStream;

/// Makes the next close of `stream` (of its last handle) an abortive one.
#[cfg(unix)]
pub fn set_linger_zero(stream: &TcpStream) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open for the lifetime of `stream`, and the option
    // value is a valid `linger` whose size we pass.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Makes the next close of `stream` (of its last handle) an abortive one.
#[cfg(windows)]
pub fn set_linger_zero(stream: &TcpStream) -> io::Result<()> {
    use std::os::windows::io::AsRawSocket;
    // winsock's `struct linger` has two u_short fields.
    #[repr(C)]
    struct Linger {
        l_onoff: u16,
        l_linger: u16,
    }
    #[link(name = "ws2_32")]
    extern "system" {
        fn setsockopt(s: usize, level: i32, optname: i32, optval: *const u8, optlen: i32) -> i32;
    }
    const SOL_SOCKET: i32 = 0xffff;
    const SO_LINGER: i32 = 0x0080;
    let linger = Linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the socket is open for the lifetime of `stream`, and the option
    // value is a valid `linger` whose size we pass.
    let rc = unsafe {
        setsockopt(
            stream.as_raw_socket() as usize,
            SOL_SOCKET,
            SO_LINGER,
            (&linger as *const Linger).cast(),
            std::mem::size_of::<Linger>() as i32,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Without the system call the close is a plain FIN.
#[cfg(not(any(unix, windows)))]
pub fn set_linger_zero(_stream: &TcpStream) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "SO_LINGER is not available on this platform",
    ))
}
