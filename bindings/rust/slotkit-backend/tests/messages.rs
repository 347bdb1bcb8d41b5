//! Error messages reach C as one NUL-terminated line of at most 159 bytes,
//! cut on a char boundary.
use slotkit_backend::error::{truncate_on_char_boundary, write_message};
use slotkit_backend::{ffi, Error, Status};

fn c_text(buf: &[std::ffi::c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8(bytes).expect("message is valid UTF-8")
}

#[test]
fn long_multibyte_message_is_cut_on_a_char_boundary() {
    let mut err: ffi::slotkit_error = unsafe { std::mem::zeroed() };
    let text = "é".repeat(100); // 200 bytes, 2 per char: 159 falls inside a char
    Error::with_message(Status::InvalidArgument, text).fill(&mut err);
    let got = c_text(&err.message);
    assert_eq!(got.len(), 158);
    assert_eq!(err.message[158], 0);
    assert_eq!(err.status, ffi::SLOTKIT_INVALID_ARGUMENT);
}

#[test]
fn newlines_become_spaces_and_empty_messages_get_the_status_text() {
    let mut buf = [1 as std::ffi::c_char; 160];
    write_message(&mut buf, "a\nb");
    assert_eq!(c_text(&buf), "a b");
    let mut err: ffi::slotkit_error = unsafe { std::mem::zeroed() };
    Error::system(2, "").fill(&mut err);
    assert_eq!((err.status, err.sys_errno), (ffi::SLOTKIT_SYSTEM_ERROR, 2));
    assert_eq!(c_text(&err.message), "system call failed");
}

#[test]
fn truncation_keeps_short_text_and_exact_boundaries() {
    assert_eq!(truncate_on_char_boundary("abc", 159), "abc");
    assert_eq!(truncate_on_char_boundary("aé", 2), "a");
    assert_eq!(truncate_on_char_boundary("aé", 3), "aé");
    let mut tiny = [0 as std::ffi::c_char; 0];
    write_message(&mut tiny, "nothing fits"); // must not panic
}

#[test]
fn sample_too_large_carries_both_sizes() {
    let mut err: ffi::slotkit_error = unsafe { std::mem::zeroed() };
    Error::sample_too_large(65, 64).fill(&mut err);
    assert_eq!((err.sample_size, err.slot_capacity), (65, 64));
    assert_eq!(err.status, ffi::SLOTKIT_SAMPLE_TOO_LARGE);
}
