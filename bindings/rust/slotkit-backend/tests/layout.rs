//! The `#[repr(C)]` mirrors match include/slotkit/backend.h: a C program built
//! against the header prints every size, alignment and offset, and each must
//! equal Rust's. Needs a C compiler (`cc`, or $CC).
use std::collections::HashMap;
use std::mem::{align_of, offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

use ::slotkit_backend::ffi::*;

const C_PROGRAM: &str = r#"
#include <stdio.h>
#include <slotkit/backend.h>
#define SIZE(t) printf("size " #t " %zu\n", sizeof(t)); printf("align " #t " %zu\n", _Alignof(t));
#define OFF(t, f) printf("offset " #t "." #f " %zu\n", offsetof(t, f));
int main(void) {
    SIZE(slotkit_error) OFF(slotkit_error, status) OFF(slotkit_error, sys_errno) OFF(slotkit_error, sample_size)
    OFF(slotkit_error, slot_capacity) OFF(slotkit_error, message)
    SIZE(slotkit_handle) OFF(slotkit_handle, segment_id) OFF(slotkit_handle, slot_index)
    SIZE(slotkit_slot_header) OFF(slotkit_slot_header, sequence_number) OFF(slotkit_slot_header, sample_size)
    OFF(slotkit_slot_header, reader_mask) OFF(slotkit_slot_header, reserved)
    SIZE(slotkit_config) OFF(slotkit_config, slot_count) OFF(slotkit_config, slot_capacity) OFF(slotkit_config, name)
    OFF(slotkit_config, type_hash) OFF(slotkit_config, role) OFF(slotkit_config, first_sequence_number)
    SIZE(slotkit_ops) OFF(slotkit_ops, abi_version) OFF(slotkit_ops, reserve_slot) OFF(slotkit_ops, commit_slot)
    OFF(slotkit_ops, discard_slot) OFF(slotkit_ops, read_slot) OFF(slotkit_ops, mark_read)
    OFF(slotkit_ops, mark_reader_disconnected) OFF(slotkit_ops, slot_count) OFF(slotkit_ops, slot_total_size)
    OFF(slotkit_ops, slot_capacity) OFF(slotkit_ops, slot_data_ptr) OFF(slotkit_ops, commit_in_place)
    OFF(slotkit_ops, slot_read_ptr) OFF(slotkit_ops, next_unread_slot) OFF(slotkit_ops, type_hash)
    OFF(slotkit_ops, notify_generation) OFF(slotkit_ops, wait_for_change) OFF(slotkit_ops, reserved_level2)
    SIZE(slotkit_backend) OFF(slotkit_backend, abi_version) OFF(slotkit_backend, name) OFF(slotkit_backend, version)
    OFF(slotkit_backend, capabilities) OFF(slotkit_backend, open) OFF(slotkit_backend, close) OFF(slotkit_backend, ops)
    SIZE(slotkit_status) SIZE(slotkit_role)
    printf("const SLOTKIT_ABI_VERSION %u\n", SLOTKIT_ABI_VERSION);
    printf("const SLOTKIT_MAX_READERS %u\n", SLOTKIT_MAX_READERS);
    printf("const SLOTKIT_SLOT_HEADER_SIZE %u\n", SLOTKIT_SLOT_HEADER_SIZE);
    printf("const SLOTKIT_SLOT_ALIGN %u\n", SLOTKIT_SLOT_ALIGN);
    printf("const SLOTKIT_UNSUPPORTED %d\n", (int)SLOTKIT_UNSUPPORTED);
    printf("const SLOTKIT_SYSTEM_ERROR %d\n", (int)SLOTKIT_SYSTEM_ERROR);
    printf("const SLOTKIT_ROLE_ATTACH %d\n", (int)SLOTKIT_ROLE_ATTACH);
    printf("const SLOTKIT_CAP_NEXT_UNREAD %u\n", (unsigned)SLOTKIT_CAP_NEXT_UNREAD);
    printf("const TOTAL_100 %zu\n", SLOTKIT_SLOT_TOTAL_SIZE(100));
    printf("const OPS_SIZE_LEVEL1 %zu\n", SLOTKIT_OPS_SIZE_LEVEL1);
    return 0;
}
"#;

/// "kind name" -> value, as the C program prints them.
fn c_values() -> HashMap<String, usize> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let include = manifest.join("../../../include");
    let dir = std::env::temp_dir().join(format!("slotkit-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (source, exe) = (dir.join("layout.c"), dir.join("layout"));
    std::fs::write(&source, C_PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(&include)
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .status()
        .expect("run the C compiler");
    assert!(built.success(), "compiling the layout program failed");
    let output = Command::new(&exe).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let (key, value) = line.rsplit_once(' ').unwrap();
            (key.to_owned(), value.parse().unwrap())
        })
        .collect()
}

macro_rules! check {
    ($c:expr, $t:ident { $($f:ident),* }) => {
        assert_eq!($c[concat!("size ", stringify!($t))], size_of::<$t>(), "sizeof {}", stringify!($t));
        assert_eq!($c[concat!("align ", stringify!($t))], align_of::<$t>(), "alignof {}", stringify!($t));
        $(assert_eq!($c[concat!("offset ", stringify!($t), ".", stringify!($f))], offset_of!($t, $f),
            "offsetof {}.{}", stringify!($t), stringify!($f));)*
    };
}

#[test]
fn mirrors_match_the_header() {
    let c = c_values();
    check!(c, slotkit_error { status, sys_errno, sample_size, slot_capacity, message });
    check!(c, slotkit_handle { segment_id, slot_index });
    check!(c, slotkit_slot_header { sequence_number, sample_size, reader_mask, reserved });
    check!(c, slotkit_config { slot_count, slot_capacity, name, type_hash, role, first_sequence_number });
    check!(
        c,
        slotkit_ops {
            abi_version,
            reserve_slot,
            commit_slot,
            discard_slot,
            read_slot,
            mark_read,
            mark_reader_disconnected,
            slot_count,
            slot_total_size,
            slot_capacity,
            slot_data_ptr,
            commit_in_place,
            slot_read_ptr,
            next_unread_slot,
            type_hash,
            notify_generation,
            wait_for_change,
            reserved_level2
        }
    );
    check!(c, slotkit_backend { abi_version, name, version, capabilities, open, close, ops });
    assert_eq!(c["size slotkit_status"], size_of::<slotkit_status>());
    assert_eq!(c["size slotkit_role"], size_of::<slotkit_role>());
    assert_eq!(c["const SLOTKIT_ABI_VERSION"], SLOTKIT_ABI_VERSION as usize, "the kit is at the header's ABI level");
    assert_eq!(c["const SLOTKIT_MAX_READERS"], SLOTKIT_MAX_READERS as usize);
    assert_eq!(c["const SLOTKIT_SLOT_HEADER_SIZE"], SLOTKIT_SLOT_HEADER_SIZE);
    assert_eq!(c["const SLOTKIT_SLOT_ALIGN"], SLOTKIT_SLOT_ALIGN);
    assert_eq!(c["const SLOTKIT_UNSUPPORTED"], SLOTKIT_UNSUPPORTED as usize);
    assert_eq!(c["const SLOTKIT_SYSTEM_ERROR"], SLOTKIT_SYSTEM_ERROR as usize);
    assert_eq!(c["const SLOTKIT_ROLE_ATTACH"], SLOTKIT_ROLE_ATTACH as usize);
    assert_eq!(c["const SLOTKIT_CAP_NEXT_UNREAD"], SLOTKIT_CAP_NEXT_UNREAD as usize);
    assert_eq!(c["const TOTAL_100"], slot_total_size(100));
    assert_eq!(c["const OPS_SIZE_LEVEL1"], offset_of!(slotkit_ops, reserved_level2));
}
