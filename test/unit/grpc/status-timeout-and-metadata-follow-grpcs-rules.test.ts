// src/grpc's pure rules, each from gRPC's documents: the status names, what an HTTP status or an
// HTTP/2 reset becomes, grpc-message's percent-encoding both ways, grpc-timeout's 8-digit limit,
// and which metadata keys may be sent.
import { constants } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { metadataHeaders } from '../../../src/grpc/metadata.js';
import { codeForHttpStatus, codeForReset, decodeGrpcMessage, encodeGrpcMessage, grpcTimeout, Status, statusName } from '../../../src/grpc/status.js';

describe('gRPC status codes', () => {
  it('names every code 0..16 and prints an unknown one as its number', () => {
    expect([0, 1, 4, 14, 16].map(statusName)).toEqual(['OK', 'CANCELLED', 'DEADLINE_EXCEEDED', 'UNAVAILABLE', 'UNAUTHENTICATED']);
    expect(Object.keys(Status)).toHaveLength(17);
    expect(statusName(17)).toBe('17');
  });

  it.each([
    [400, 'INTERNAL'], [401, 'UNAUTHENTICATED'], [403, 'PERMISSION_DENIED'], [404, 'UNIMPLEMENTED'],
    [429, 'UNAVAILABLE'], [502, 'UNAVAILABLE'], [503, 'UNAVAILABLE'], [504, 'UNAVAILABLE'], [500, 'UNKNOWN'],
  ])('HTTP %i -> %s', (http, name) => expect(statusName(codeForHttpStatus(http))).toBe(name));

  it.each([
    [constants.NGHTTP2_REFUSED_STREAM, 'UNAVAILABLE'], [constants.NGHTTP2_CANCEL, 'CANCELLED'],
    [constants.NGHTTP2_ENHANCE_YOUR_CALM, 'RESOURCE_EXHAUSTED'], [constants.NGHTTP2_INADEQUATE_SECURITY, 'PERMISSION_DENIED'],
    [constants.NGHTTP2_PROTOCOL_ERROR, 'INTERNAL'],
  ])('RST_STREAM %i -> %s', (rst, name) => expect(statusName(codeForReset(rst))).toBe(name));
});

describe('grpc-message', () => {
  it('percent-encodes what is not printable ASCII, and "%" itself; decoding gives the text back', () => {
    const text = 'naïve 100% → ok\n';
    const wire = encodeGrpcMessage(text);
    expect(wire).toMatch(/^[\x20-\x7e]*$/);
    expect(wire).toContain('100%25');
    expect(decodeGrpcMessage(wire)).toBe(text);
  });

  it('keeps a message that is not valid percent-encoding as sent', () => {
    expect(decodeGrpcMessage('50% off')).toBe('50% off');
  });
});

describe('grpc-timeout', () => {
  it.each([
    [1, '1m'], [0.2, '1m'], [5000, '5000m'], [99_999_999, '99999999m'], [100_000_000, '100000S'], [1e12, '277778H'],
  ])('%d ms -> %s', (ms, header) => expect(grpcTimeout(ms)).toBe(header));
});

describe('metadata', () => {
  it('sends keys lowercase (ClusterID -> clusterid)', () => {
    expect(metadataHeaders({ ClusterID: 'Kubernetes', authorization: 'Bearer x' })).toEqual({ clusterid: 'Kubernetes', authorization: 'Bearer x' });
  });

  it.each(['content-type', 'te', 'grpc-timeout', ':path', 'x-bin', 'bad key'])('refuses the key %s', (key) => {
    expect(() => metadataHeaders({ [key]: 'v' })).toThrow(/cannot be sent/);
  });

  it('refuses a value that is not printable ASCII', () => {
    expect(() => metadataHeaders({ 'x-team': 'é' })).toThrow(/printable ASCII/);
  });
});
