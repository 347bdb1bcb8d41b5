/*
 * C view of the Rust shim in shim/src/lib.rs (kept in step by hand: the shim
 * is a dozen functions, a generated header would be more machinery than it).
 * Every object is opaque and owned by the caller; every fallible call returns
 * SK_IOX2_OK or an SK_IOX2_E_* code and writes one line into err[err_len].
 */
#ifndef SLOTKIT_IOX2_SHIM_H
#define SLOTKIT_IOX2_SHIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct SkNode sk_iox2_node;
typedef struct SkService sk_iox2_service;
typedef struct SkPublisher sk_iox2_publisher;
typedef struct SkSubscriber sk_iox2_subscriber;
typedef struct SkLoan sk_iox2_loan;
typedef struct SkSample sk_iox2_sample;

/* The user header of every sample (SkHeader). */
typedef struct sk_iox2_header {
    uint32_t sequence;
    uint32_t length;
    uint32_t slot;
    uint32_t reserved;
} sk_iox2_header;

typedef struct sk_iox2_service_limits {
    size_t max_publishers;
    size_t max_subscribers;
    size_t max_nodes;
    size_t subscriber_max_buffer_size;
    size_t subscriber_max_borrowed_samples;
    size_t history_size;
    size_t payload_alignment;
} sk_iox2_service_limits;

enum {
    SK_IOX2_OK = 0,
    SK_IOX2_E_ARG = 1,
    SK_IOX2_E_NODE = 2,
    SK_IOX2_E_SERVICE = 3,
    SK_IOX2_E_PORT = 4,
    SK_IOX2_E_LOAN = 5,
    SK_IOX2_E_SEND = 6,
    SK_IOX2_E_RECEIVE = 7,
    SK_IOX2_E_EXISTS = 8,
};

int sk_iox2_node_create(const char *prefix, const char *root_path, sk_iox2_node **out, char *err, size_t err_len);
uint64_t sk_iox2_node_cleanup_dead(const sk_iox2_node *node, uint64_t *failed);
void sk_iox2_node_drop(sk_iox2_node *node);
/* Removes the domain's global management segment once no node is left:
 * 1 removed, 0 nodes remain or already gone, -1 error. */
int sk_iox2_domain_remove(const char *prefix, const char *root_path, char *err, size_t err_len);

int sk_iox2_service_open(const sk_iox2_node *node, const char *name, const sk_iox2_service_limits *limits, int create,
                         sk_iox2_service **out, char *err, size_t err_len);
void sk_iox2_service_drop(sk_iox2_service *service);

int sk_iox2_publisher_create(const sk_iox2_service *service, size_t max_slice_len, size_t max_loans,
                             sk_iox2_publisher **out, char *err, size_t err_len);
void sk_iox2_publisher_drop(sk_iox2_publisher *publisher);
int sk_iox2_subscriber_create(const sk_iox2_service *service, size_t buffer_size, sk_iox2_subscriber **out, char *err,
                              size_t err_len);
void sk_iox2_subscriber_drop(sk_iox2_subscriber *subscriber);

int sk_iox2_loan_slice(const sk_iox2_publisher *publisher, size_t len, sk_iox2_loan **out, uint8_t **payload, char *err,
                       size_t err_len);
void sk_iox2_loan_drop(sk_iox2_loan *loan);
int sk_iox2_send(sk_iox2_loan *loan, const sk_iox2_header *header, size_t *recipients, char *err, size_t err_len);

int sk_iox2_receive(const sk_iox2_subscriber *subscriber, sk_iox2_sample **out, const uint8_t **payload,
                    size_t *payload_len, sk_iox2_header *header, char *err, size_t err_len);
void sk_iox2_sample_drop(sk_iox2_sample *sample);

#endif /* SLOTKIT_IOX2_SHIM_H */
