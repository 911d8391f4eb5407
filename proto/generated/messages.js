/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
const $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const istio = $root.istio = (() => {

    /**
     * Namespace istio.
     * @exports istio
     * @namespace
     */
    const istio = {};

    istio.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof istio
         * @namespace
         */
        const v1 = {};

        v1.auth = (function() {

            /**
             * Namespace auth.
             * @memberof istio.v1
             * @namespace
             */
            const auth = {};

            auth.IstioCertificateRequest = (function() {

                /**
                 * Properties of an IstioCertificateRequest.
                 * @typedef {Object} istio.v1.auth.IstioCertificateRequest.$Properties
                 * @property {string|null} [csr] IstioCertificateRequest csr
                 * @property {number|Long|null} [validity_duration] IstioCertificateRequest validity_duration
                 * @property {google.protobuf.Struct.$Properties|null} [metadata] IstioCertificateRequest metadata
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of an IstioCertificateRequest.
                 * @memberof istio.v1.auth
                 * @interface IIstioCertificateRequest
                 * @augments istio.v1.auth.IstioCertificateRequest.$Properties
                 * @deprecated Use istio.v1.auth.IstioCertificateRequest.$Properties instead.
                 */

                /**
                 * Shape of an IstioCertificateRequest.
                 * @typedef {{
                 *   csr?: string|null;
                 *   validity_duration?: number|Long|null;
                 *   metadata?: google.protobuf.Struct.$Shape|null;
                 *   $unknowns?: Array.<Uint8Array>;
                 * }} istio.v1.auth.IstioCertificateRequest.$Shape
                 */

                /**
                 * Constructs a new IstioCertificateRequest.
                 * @memberof istio.v1.auth
                 * @classdesc Represents an IstioCertificateRequest.
                 * @constructor
                 * @param {istio.v1.auth.IstioCertificateRequest.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const IstioCertificateRequest = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * IstioCertificateRequest csr.
                 * @member {string} csr
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @instance
                 */
                IstioCertificateRequest.prototype.csr = "";

                /**
                 * IstioCertificateRequest validity_duration.
                 * @member {number|Long} validity_duration
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @instance
                 */
                IstioCertificateRequest.prototype.validity_duration = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

                /**
                 * IstioCertificateRequest metadata.
                 * @member {google.protobuf.Struct.$Properties|null|undefined} metadata
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @instance
                 */
                IstioCertificateRequest.prototype.metadata = null;

                /**
                 * Creates a new IstioCertificateRequest instance using the specified properties.
                 * @function create
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @static
                 * @param {istio.v1.auth.IstioCertificateRequest.$Properties=} [properties] Properties to set
                 * @returns {istio.v1.auth.IstioCertificateRequest} IstioCertificateRequest instance
                 * @type {{
                 *   (properties: istio.v1.auth.IstioCertificateRequest.$Shape): istio.v1.auth.IstioCertificateRequest & istio.v1.auth.IstioCertificateRequest.$Shape;
                 *   (properties?: istio.v1.auth.IstioCertificateRequest.$Properties): istio.v1.auth.IstioCertificateRequest;
                 * }}
                 */
                IstioCertificateRequest.create = function(properties) {
                    return new IstioCertificateRequest(properties);
                };

                /**
                 * Encodes the specified IstioCertificateRequest message. Does not implicitly {@link istio.v1.auth.IstioCertificateRequest.verify|verify} messages.
                 * @function encode
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @static
                 * @param {istio.v1.auth.IstioCertificateRequest.$Properties} message IstioCertificateRequest message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                IstioCertificateRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.csr != null && $Object.hasOwnProperty.call(message, "csr") && message.csr !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.csr);
                    if (message.validity_duration != null && $Object.hasOwnProperty.call(message, "validity_duration") && (typeof message.validity_duration === "object" ? message.validity_duration.low || message.validity_duration.high : message.validity_duration !== 0))
                        writer.uint32(/* id 3, wireType 0 =*/24).int64(message.validity_duration);
                    if (message.metadata != null && $Object.hasOwnProperty.call(message, "metadata"))
                        $root.google.protobuf.Struct.encode(message.metadata, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes an IstioCertificateRequest message from the specified reader or buffer.
                 * @function decode
                 * @memberof istio.v1.auth.IstioCertificateRequest
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {istio.v1.auth.IstioCertificateRequest & istio.v1.auth.IstioCertificateRequest.$Shape} IstioCertificateRequest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                IstioCertificateRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.istio.v1.auth.IstioCertificateRequest();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.csr = value;
                                else
                                    delete message.csr;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.int64()) === "object" ? value.low || value.high : value !== 0)
                                    message.validity_duration = value;
                                else
                                    delete message.validity_duration;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                message.metadata = $root.google.protobuf.Struct.decode(reader, reader.size(), $undefined, _depth + 1, message.metadata);
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                return IstioCertificateRequest;
            })();

            auth.IstioCertificateResponse = (function() {

                /**
                 * Properties of an IstioCertificateResponse.
                 * @typedef {Object} istio.v1.auth.IstioCertificateResponse.$Properties
                 * @property {Array.<string>|null} [cert_chain] IstioCertificateResponse cert_chain
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of an IstioCertificateResponse.
                 * @memberof istio.v1.auth
                 * @interface IIstioCertificateResponse
                 * @augments istio.v1.auth.IstioCertificateResponse.$Properties
                 * @deprecated Use istio.v1.auth.IstioCertificateResponse.$Properties instead.
                 */

                /**
                 * Shape of an IstioCertificateResponse.
                 * @typedef {istio.v1.auth.IstioCertificateResponse.$Properties} istio.v1.auth.IstioCertificateResponse.$Shape
                 */

                /**
                 * Constructs a new IstioCertificateResponse.
                 * @memberof istio.v1.auth
                 * @classdesc Represents an IstioCertificateResponse.
                 * @constructor
                 * @param {istio.v1.auth.IstioCertificateResponse.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const IstioCertificateResponse = function (properties) {
                    this.cert_chain = [];
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * IstioCertificateResponse cert_chain.
                 * @member {Array.<string>} cert_chain
                 * @memberof istio.v1.auth.IstioCertificateResponse
                 * @instance
                 */
                IstioCertificateResponse.prototype.cert_chain = $util.emptyArray;

                /**
                 * Creates a new IstioCertificateResponse instance using the specified properties.
                 * @function create
                 * @memberof istio.v1.auth.IstioCertificateResponse
                 * @static
                 * @param {istio.v1.auth.IstioCertificateResponse.$Properties=} [properties] Properties to set
                 * @returns {istio.v1.auth.IstioCertificateResponse} IstioCertificateResponse instance
                 * @type {{
                 *   (properties: istio.v1.auth.IstioCertificateResponse.$Shape): istio.v1.auth.IstioCertificateResponse & istio.v1.auth.IstioCertificateResponse.$Shape;
                 *   (properties?: istio.v1.auth.IstioCertificateResponse.$Properties): istio.v1.auth.IstioCertificateResponse;
                 * }}
                 */
                IstioCertificateResponse.create = function(properties) {
                    return new IstioCertificateResponse(properties);
                };

                /**
                 * Encodes the specified IstioCertificateResponse message. Does not implicitly {@link istio.v1.auth.IstioCertificateResponse.verify|verify} messages.
                 * @function encode
                 * @memberof istio.v1.auth.IstioCertificateResponse
                 * @static
                 * @param {istio.v1.auth.IstioCertificateResponse.$Properties} message IstioCertificateResponse message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                IstioCertificateResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.cert_chain != null && message.cert_chain.length)
                        for (let i = 0; i < message.cert_chain.length; ++i)
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.cert_chain[i]);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes an IstioCertificateResponse message from the specified reader or buffer.
                 * @function decode
                 * @memberof istio.v1.auth.IstioCertificateResponse
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {istio.v1.auth.IstioCertificateResponse & istio.v1.auth.IstioCertificateResponse.$Shape} IstioCertificateResponse
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                IstioCertificateResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.istio.v1.auth.IstioCertificateResponse();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.cert_chain && message.cert_chain.length))
                                    message.cert_chain = [];
                                message.cert_chain.push(reader.stringVerify());
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                return IstioCertificateResponse;
            })();

            return auth;
        })();

        return v1;
    })();

    istio.networking = (function() {

        /**
         * Namespace networking.
         * @memberof istio
         * @namespace
         */
        const networking = {};

        networking.nds = (function() {

            /**
             * Namespace nds.
             * @memberof istio.networking
             * @namespace
             */
            const nds = {};

            nds.v1 = (function() {

                /**
                 * Namespace v1.
                 * @memberof istio.networking.nds
                 * @namespace
                 */
                const v1 = {};

                v1.NameTable = (function() {

                    /**
                     * Properties of a NameTable.
                     * @typedef {Object} istio.networking.nds.v1.NameTable.$Properties
                     * @property {Object.<string,istio.networking.nds.v1.NameTable.NameInfo.$Properties>|null} [table] NameTable table
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a NameTable.
                     * @memberof istio.networking.nds.v1
                     * @interface INameTable
                     * @augments istio.networking.nds.v1.NameTable.$Properties
                     * @deprecated Use istio.networking.nds.v1.NameTable.$Properties instead.
                     */

                    /**
                     * Shape of a NameTable.
                     * @typedef {istio.networking.nds.v1.NameTable.$Properties} istio.networking.nds.v1.NameTable.$Shape
                     */

                    /**
                     * Constructs a new NameTable.
                     * @memberof istio.networking.nds.v1
                     * @classdesc Represents a NameTable.
                     * @constructor
                     * @param {istio.networking.nds.v1.NameTable.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const NameTable = function (properties) {
                        this.table = {};
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * NameTable table.
                     * @member {Object.<string,istio.networking.nds.v1.NameTable.NameInfo.$Properties>} table
                     * @memberof istio.networking.nds.v1.NameTable
                     * @instance
                     */
                    NameTable.prototype.table = $util.emptyObject;

                    /**
                     * Creates a new NameTable instance using the specified properties.
                     * @function create
                     * @memberof istio.networking.nds.v1.NameTable
                     * @static
                     * @param {istio.networking.nds.v1.NameTable.$Properties=} [properties] Properties to set
                     * @returns {istio.networking.nds.v1.NameTable} NameTable instance
                     * @type {{
                     *   (properties: istio.networking.nds.v1.NameTable.$Shape): istio.networking.nds.v1.NameTable & istio.networking.nds.v1.NameTable.$Shape;
                     *   (properties?: istio.networking.nds.v1.NameTable.$Properties): istio.networking.nds.v1.NameTable;
                     * }}
                     */
                    NameTable.create = function(properties) {
                        return new NameTable(properties);
                    };

                    /**
                     * Encodes the specified NameTable message. Does not implicitly {@link istio.networking.nds.v1.NameTable.verify|verify} messages.
                     * @function encode
                     * @memberof istio.networking.nds.v1.NameTable
                     * @static
                     * @param {istio.networking.nds.v1.NameTable.$Properties} message NameTable message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    NameTable.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.table != null && $Object.hasOwnProperty.call(message, "table"))
                            for (let keys = $Object.keys(message.table), i = 0; i < keys.length; ++i) {
                                writer.uint32(/* id 1, wireType 2 =*/10).fork().uint32(/* id 1, wireType 2 =*/10).string(keys[i]);
                                $root.istio.networking.nds.v1.NameTable.NameInfo.encode(message.table[keys[i]], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim().ldelim();
                            }
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a NameTable message from the specified reader or buffer.
                     * @function decode
                     * @memberof istio.networking.nds.v1.NameTable
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {istio.networking.nds.v1.NameTable & istio.networking.nds.v1.NameTable.$Shape} NameTable
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    NameTable.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, key, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.istio.networking.nds.v1.NameTable();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if (message.table === $util.emptyObject)
                                        message.table = {};
                                    let end2 = reader.size() + reader.pos;
                                    if (end2 > reader.len)
                                        throw $RangeError("index out of range");
                                    reader.len = end2;
                                    key = "";
                                    value = null;
                                    while (reader.pos < end2) {
                                        let tag2 = reader.tag();
                                        wireType = tag2 & 7;
                                        switch (tag2 >>>= 3) {
                                        case 1:
                                            if (wireType !== 2)
                                                break;
                                            key = reader.stringVerify();
                                            continue;
                                        case 2:
                                            if (wireType !== 2)
                                                break;
                                            value = $root.istio.networking.nds.v1.NameTable.NameInfo.decode(reader, reader.size(), $undefined, _depth + 1, value);
                                            continue;
                                        }
                                        reader.skipType(wireType, _depth, tag2);
                                    }
                                    if (reader.pos !== end2)
                                        throw $RangeError("index out of range");
                                    reader.len = end;
                                    if (key === "__proto__")
                                        $util.makeProp(message.table, key);
                                    message.table[key] = value || new $root.istio.networking.nds.v1.NameTable.NameInfo();
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    NameTable.NameInfo = (function() {

                        /**
                         * Properties of a NameInfo.
                         * @typedef {Object} istio.networking.nds.v1.NameTable.NameInfo.$Properties
                         * @property {Array.<string>|null} [ips] NameInfo ips
                         * @property {string|null} [registry] NameInfo registry
                         * @property {string|null} [shortname] NameInfo shortname
                         * @property {string|null} [namespace] NameInfo namespace
                         * @property {Array.<string>|null} [alt_hosts] NameInfo alt_hosts
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a NameInfo.
                         * @memberof istio.networking.nds.v1.NameTable
                         * @interface INameInfo
                         * @augments istio.networking.nds.v1.NameTable.NameInfo.$Properties
                         * @deprecated Use istio.networking.nds.v1.NameTable.NameInfo.$Properties instead.
                         */

                        /**
                         * Shape of a NameInfo.
                         * @typedef {istio.networking.nds.v1.NameTable.NameInfo.$Properties} istio.networking.nds.v1.NameTable.NameInfo.$Shape
                         */

                        /**
                         * Constructs a new NameInfo.
                         * @memberof istio.networking.nds.v1.NameTable
                         * @classdesc Represents a NameInfo.
                         * @constructor
                         * @param {istio.networking.nds.v1.NameTable.NameInfo.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const NameInfo = function (properties) {
                            this.ips = [];
                            this.alt_hosts = [];
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * NameInfo ips.
                         * @member {Array.<string>} ips
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @instance
                         */
                        NameInfo.prototype.ips = $util.emptyArray;

                        /**
                         * NameInfo registry.
                         * @member {string} registry
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @instance
                         */
                        NameInfo.prototype.registry = "";

                        /**
                         * NameInfo shortname.
                         * @member {string} shortname
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @instance
                         */
                        NameInfo.prototype.shortname = "";

                        /**
                         * NameInfo namespace.
                         * @member {string} namespace
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @instance
                         */
                        NameInfo.prototype.namespace = "";

                        /**
                         * NameInfo alt_hosts.
                         * @member {Array.<string>} alt_hosts
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @instance
                         */
                        NameInfo.prototype.alt_hosts = $util.emptyArray;

                        /**
                         * Creates a new NameInfo instance using the specified properties.
                         * @function create
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @static
                         * @param {istio.networking.nds.v1.NameTable.NameInfo.$Properties=} [properties] Properties to set
                         * @returns {istio.networking.nds.v1.NameTable.NameInfo} NameInfo instance
                         * @type {{
                         *   (properties: istio.networking.nds.v1.NameTable.NameInfo.$Shape): istio.networking.nds.v1.NameTable.NameInfo & istio.networking.nds.v1.NameTable.NameInfo.$Shape;
                         *   (properties?: istio.networking.nds.v1.NameTable.NameInfo.$Properties): istio.networking.nds.v1.NameTable.NameInfo;
                         * }}
                         */
                        NameInfo.create = function(properties) {
                            return new NameInfo(properties);
                        };

                        /**
                         * Encodes the specified NameInfo message. Does not implicitly {@link istio.networking.nds.v1.NameTable.NameInfo.verify|verify} messages.
                         * @function encode
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @static
                         * @param {istio.networking.nds.v1.NameTable.NameInfo.$Properties} message NameInfo message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        NameInfo.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.ips != null && message.ips.length)
                                for (let i = 0; i < message.ips.length; ++i)
                                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.ips[i]);
                            if (message.registry != null && $Object.hasOwnProperty.call(message, "registry") && message.registry !== "")
                                writer.uint32(/* id 2, wireType 2 =*/18).string(message.registry);
                            if (message.shortname != null && $Object.hasOwnProperty.call(message, "shortname") && message.shortname !== "")
                                writer.uint32(/* id 3, wireType 2 =*/26).string(message.shortname);
                            if (message.namespace != null && $Object.hasOwnProperty.call(message, "namespace") && message.namespace !== "")
                                writer.uint32(/* id 4, wireType 2 =*/34).string(message.namespace);
                            if (message.alt_hosts != null && message.alt_hosts.length)
                                for (let i = 0; i < message.alt_hosts.length; ++i)
                                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.alt_hosts[i]);
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a NameInfo message from the specified reader or buffer.
                         * @function decode
                         * @memberof istio.networking.nds.v1.NameTable.NameInfo
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {istio.networking.nds.v1.NameTable.NameInfo & istio.networking.nds.v1.NameTable.NameInfo.$Shape} NameInfo
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        NameInfo.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.istio.networking.nds.v1.NameTable.NameInfo();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.ips && message.ips.length))
                                            message.ips = [];
                                        message.ips.push(reader.stringVerify());
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.registry = value;
                                        else
                                            delete message.registry;
                                        continue;
                                    }
                                case 3: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.shortname = value;
                                        else
                                            delete message.shortname;
                                        continue;
                                    }
                                case 4: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.namespace = value;
                                        else
                                            delete message.namespace;
                                        continue;
                                    }
                                case 5: {
                                        if (wireType !== 2)
                                            break;
                                        if (!(message.alt_hosts && message.alt_hosts.length))
                                            message.alt_hosts = [];
                                        message.alt_hosts.push(reader.stringVerify());
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return NameInfo;
                    })();

                    return NameTable;
                })();

                return v1;
            })();

            return nds;
        })();

        return networking;
    })();

    return istio;
})();

export const envoy = $root.envoy = (() => {

    /**
     * Namespace envoy.
     * @exports envoy
     * @namespace
     */
    const envoy = {};

    envoy.service = (function() {

        /**
         * Namespace service.
         * @memberof envoy
         * @namespace
         */
        const service = {};

        service.discovery = (function() {

            /**
             * Namespace discovery.
             * @memberof envoy.service
             * @namespace
             */
            const discovery = {};

            discovery.v3 = (function() {

                /**
                 * Namespace v3.
                 * @memberof envoy.service.discovery
                 * @namespace
                 */
                const v3 = {};

                v3.DiscoveryRequest = (function() {

                    /**
                     * Properties of a DiscoveryRequest.
                     * @typedef {Object} envoy.service.discovery.v3.DiscoveryRequest.$Properties
                     * @property {string|null} [version_info] DiscoveryRequest version_info
                     * @property {envoy.config.core.v3.Node.$Properties|null} [node] DiscoveryRequest node
                     * @property {Array.<string>|null} [resource_names] DiscoveryRequest resource_names
                     * @property {string|null} [type_url] DiscoveryRequest type_url
                     * @property {string|null} [response_nonce] DiscoveryRequest response_nonce
                     * @property {google.rpc.Status.$Properties|null} [error_detail] DiscoveryRequest error_detail
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a DiscoveryRequest.
                     * @memberof envoy.service.discovery.v3
                     * @interface IDiscoveryRequest
                     * @augments envoy.service.discovery.v3.DiscoveryRequest.$Properties
                     * @deprecated Use envoy.service.discovery.v3.DiscoveryRequest.$Properties instead.
                     */

                    /**
                     * Shape of a DiscoveryRequest.
                     * @typedef {{
                     *   version_info?: string|null;
                     *   node?: envoy.config.core.v3.Node.$Shape|null;
                     *   resource_names?: Array.<string>|null;
                     *   type_url?: string|null;
                     *   response_nonce?: string|null;
                     *   error_detail?: google.rpc.Status.$Shape|null;
                     *   $unknowns?: Array.<Uint8Array>;
                     * }} envoy.service.discovery.v3.DiscoveryRequest.$Shape
                     */

                    /**
                     * Constructs a new DiscoveryRequest.
                     * @memberof envoy.service.discovery.v3
                     * @classdesc Represents a DiscoveryRequest.
                     * @constructor
                     * @param {envoy.service.discovery.v3.DiscoveryRequest.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const DiscoveryRequest = function (properties) {
                        this.resource_names = [];
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * DiscoveryRequest version_info.
                     * @member {string} version_info
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.version_info = "";

                    /**
                     * DiscoveryRequest node.
                     * @member {envoy.config.core.v3.Node.$Properties|null|undefined} node
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.node = null;

                    /**
                     * DiscoveryRequest resource_names.
                     * @member {Array.<string>} resource_names
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.resource_names = $util.emptyArray;

                    /**
                     * DiscoveryRequest type_url.
                     * @member {string} type_url
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.type_url = "";

                    /**
                     * DiscoveryRequest response_nonce.
                     * @member {string} response_nonce
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.response_nonce = "";

                    /**
                     * DiscoveryRequest error_detail.
                     * @member {google.rpc.Status.$Properties|null|undefined} error_detail
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @instance
                     */
                    DiscoveryRequest.prototype.error_detail = null;

                    /**
                     * Creates a new DiscoveryRequest instance using the specified properties.
                     * @function create
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @static
                     * @param {envoy.service.discovery.v3.DiscoveryRequest.$Properties=} [properties] Properties to set
                     * @returns {envoy.service.discovery.v3.DiscoveryRequest} DiscoveryRequest instance
                     * @type {{
                     *   (properties: envoy.service.discovery.v3.DiscoveryRequest.$Shape): envoy.service.discovery.v3.DiscoveryRequest & envoy.service.discovery.v3.DiscoveryRequest.$Shape;
                     *   (properties?: envoy.service.discovery.v3.DiscoveryRequest.$Properties): envoy.service.discovery.v3.DiscoveryRequest;
                     * }}
                     */
                    DiscoveryRequest.create = function(properties) {
                        return new DiscoveryRequest(properties);
                    };

                    /**
                     * Encodes the specified DiscoveryRequest message. Does not implicitly {@link envoy.service.discovery.v3.DiscoveryRequest.verify|verify} messages.
                     * @function encode
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @static
                     * @param {envoy.service.discovery.v3.DiscoveryRequest.$Properties} message DiscoveryRequest message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    DiscoveryRequest.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.version_info != null && $Object.hasOwnProperty.call(message, "version_info") && message.version_info !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.version_info);
                        if (message.node != null && $Object.hasOwnProperty.call(message, "node"))
                            $root.envoy.config.core.v3.Node.encode(message.node, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                        if (message.resource_names != null && message.resource_names.length)
                            for (let i = 0; i < message.resource_names.length; ++i)
                                writer.uint32(/* id 3, wireType 2 =*/26).string(message.resource_names[i]);
                        if (message.type_url != null && $Object.hasOwnProperty.call(message, "type_url") && message.type_url !== "")
                            writer.uint32(/* id 4, wireType 2 =*/34).string(message.type_url);
                        if (message.response_nonce != null && $Object.hasOwnProperty.call(message, "response_nonce") && message.response_nonce !== "")
                            writer.uint32(/* id 5, wireType 2 =*/42).string(message.response_nonce);
                        if (message.error_detail != null && $Object.hasOwnProperty.call(message, "error_detail"))
                            $root.google.rpc.Status.encode(message.error_detail, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a DiscoveryRequest message from the specified reader or buffer.
                     * @function decode
                     * @memberof envoy.service.discovery.v3.DiscoveryRequest
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {envoy.service.discovery.v3.DiscoveryRequest & envoy.service.discovery.v3.DiscoveryRequest.$Shape} DiscoveryRequest
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    DiscoveryRequest.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.envoy.service.discovery.v3.DiscoveryRequest();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.version_info = value;
                                    else
                                        delete message.version_info;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    message.node = $root.envoy.config.core.v3.Node.decode(reader, reader.size(), $undefined, _depth + 1, message.node);
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    if (!(message.resource_names && message.resource_names.length))
                                        message.resource_names = [];
                                    message.resource_names.push(reader.stringVerify());
                                    continue;
                                }
                            case 4: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.type_url = value;
                                    else
                                        delete message.type_url;
                                    continue;
                                }
                            case 5: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.response_nonce = value;
                                    else
                                        delete message.response_nonce;
                                    continue;
                                }
                            case 6: {
                                    if (wireType !== 2)
                                        break;
                                    message.error_detail = $root.google.rpc.Status.decode(reader, reader.size(), $undefined, _depth + 1, message.error_detail);
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return DiscoveryRequest;
                })();

                v3.DiscoveryResponse = (function() {

                    /**
                     * Properties of a DiscoveryResponse.
                     * @typedef {Object} envoy.service.discovery.v3.DiscoveryResponse.$Properties
                     * @property {string|null} [version_info] DiscoveryResponse version_info
                     * @property {Array.<google.protobuf.Any.$Properties>|null} [resources] DiscoveryResponse resources
                     * @property {boolean|null} [canary] DiscoveryResponse canary
                     * @property {string|null} [type_url] DiscoveryResponse type_url
                     * @property {string|null} [nonce] DiscoveryResponse nonce
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a DiscoveryResponse.
                     * @memberof envoy.service.discovery.v3
                     * @interface IDiscoveryResponse
                     * @augments envoy.service.discovery.v3.DiscoveryResponse.$Properties
                     * @deprecated Use envoy.service.discovery.v3.DiscoveryResponse.$Properties instead.
                     */

                    /**
                     * Shape of a DiscoveryResponse.
                     * @typedef {envoy.service.discovery.v3.DiscoveryResponse.$Properties} envoy.service.discovery.v3.DiscoveryResponse.$Shape
                     */

                    /**
                     * Constructs a new DiscoveryResponse.
                     * @memberof envoy.service.discovery.v3
                     * @classdesc Represents a DiscoveryResponse.
                     * @constructor
                     * @param {envoy.service.discovery.v3.DiscoveryResponse.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const DiscoveryResponse = function (properties) {
                        this.resources = [];
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * DiscoveryResponse version_info.
                     * @member {string} version_info
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @instance
                     */
                    DiscoveryResponse.prototype.version_info = "";

                    /**
                     * DiscoveryResponse resources.
                     * @member {Array.<google.protobuf.Any.$Properties>} resources
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @instance
                     */
                    DiscoveryResponse.prototype.resources = $util.emptyArray;

                    /**
                     * DiscoveryResponse canary.
                     * @member {boolean} canary
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @instance
                     */
                    DiscoveryResponse.prototype.canary = false;

                    /**
                     * DiscoveryResponse type_url.
                     * @member {string} type_url
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @instance
                     */
                    DiscoveryResponse.prototype.type_url = "";

                    /**
                     * DiscoveryResponse nonce.
                     * @member {string} nonce
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @instance
                     */
                    DiscoveryResponse.prototype.nonce = "";

                    /**
                     * Creates a new DiscoveryResponse instance using the specified properties.
                     * @function create
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @static
                     * @param {envoy.service.discovery.v3.DiscoveryResponse.$Properties=} [properties] Properties to set
                     * @returns {envoy.service.discovery.v3.DiscoveryResponse} DiscoveryResponse instance
                     * @type {{
                     *   (properties: envoy.service.discovery.v3.DiscoveryResponse.$Shape): envoy.service.discovery.v3.DiscoveryResponse & envoy.service.discovery.v3.DiscoveryResponse.$Shape;
                     *   (properties?: envoy.service.discovery.v3.DiscoveryResponse.$Properties): envoy.service.discovery.v3.DiscoveryResponse;
                     * }}
                     */
                    DiscoveryResponse.create = function(properties) {
                        return new DiscoveryResponse(properties);
                    };

                    /**
                     * Encodes the specified DiscoveryResponse message. Does not implicitly {@link envoy.service.discovery.v3.DiscoveryResponse.verify|verify} messages.
                     * @function encode
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @static
                     * @param {envoy.service.discovery.v3.DiscoveryResponse.$Properties} message DiscoveryResponse message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    DiscoveryResponse.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.version_info != null && $Object.hasOwnProperty.call(message, "version_info") && message.version_info !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.version_info);
                        if (message.resources != null && message.resources.length)
                            for (let i = 0; i < message.resources.length; ++i)
                                $root.google.protobuf.Any.encode(message.resources[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                        if (message.canary != null && $Object.hasOwnProperty.call(message, "canary") && message.canary !== false)
                            writer.uint32(/* id 3, wireType 0 =*/24).bool(message.canary);
                        if (message.type_url != null && $Object.hasOwnProperty.call(message, "type_url") && message.type_url !== "")
                            writer.uint32(/* id 4, wireType 2 =*/34).string(message.type_url);
                        if (message.nonce != null && $Object.hasOwnProperty.call(message, "nonce") && message.nonce !== "")
                            writer.uint32(/* id 5, wireType 2 =*/42).string(message.nonce);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a DiscoveryResponse message from the specified reader or buffer.
                     * @function decode
                     * @memberof envoy.service.discovery.v3.DiscoveryResponse
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {envoy.service.discovery.v3.DiscoveryResponse & envoy.service.discovery.v3.DiscoveryResponse.$Shape} DiscoveryResponse
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    DiscoveryResponse.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.envoy.service.discovery.v3.DiscoveryResponse();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.version_info = value;
                                    else
                                        delete message.version_info;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    if (!(message.resources && message.resources.length))
                                        message.resources = [];
                                    message.resources.push($root.google.protobuf.Any.decode(reader, reader.size(), $undefined, _depth + 1));
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 0)
                                        break;
                                    if (value = reader.bool())
                                        message.canary = value;
                                    else
                                        delete message.canary;
                                    continue;
                                }
                            case 4: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.type_url = value;
                                    else
                                        delete message.type_url;
                                    continue;
                                }
                            case 5: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.nonce = value;
                                    else
                                        delete message.nonce;
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return DiscoveryResponse;
                })();

                return v3;
            })();

            return discovery;
        })();

        return service;
    })();

    envoy.config = (function() {

        /**
         * Namespace config.
         * @memberof envoy
         * @namespace
         */
        const config = {};

        config.core = (function() {

            /**
             * Namespace core.
             * @memberof envoy.config
             * @namespace
             */
            const core = {};

            core.v3 = (function() {

                /**
                 * Namespace v3.
                 * @memberof envoy.config.core
                 * @namespace
                 */
                const v3 = {};

                v3.Node = (function() {

                    /**
                     * Properties of a Node.
                     * @typedef {Object} envoy.config.core.v3.Node.$Properties
                     * @property {string|null} [id] Node id
                     * @property {string|null} [cluster] Node cluster
                     * @property {google.protobuf.Struct.$Properties|null} [metadata] Node metadata
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a Node.
                     * @memberof envoy.config.core.v3
                     * @interface INode
                     * @augments envoy.config.core.v3.Node.$Properties
                     * @deprecated Use envoy.config.core.v3.Node.$Properties instead.
                     */

                    /**
                     * Shape of a Node.
                     * @typedef {{
                     *   id?: string|null;
                     *   cluster?: string|null;
                     *   metadata?: google.protobuf.Struct.$Shape|null;
                     *   $unknowns?: Array.<Uint8Array>;
                     * }} envoy.config.core.v3.Node.$Shape
                     */

                    /**
                     * Constructs a new Node.
                     * @memberof envoy.config.core.v3
                     * @classdesc Represents a Node.
                     * @constructor
                     * @param {envoy.config.core.v3.Node.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const Node = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * Node id.
                     * @member {string} id
                     * @memberof envoy.config.core.v3.Node
                     * @instance
                     */
                    Node.prototype.id = "";

                    /**
                     * Node cluster.
                     * @member {string} cluster
                     * @memberof envoy.config.core.v3.Node
                     * @instance
                     */
                    Node.prototype.cluster = "";

                    /**
                     * Node metadata.
                     * @member {google.protobuf.Struct.$Properties|null|undefined} metadata
                     * @memberof envoy.config.core.v3.Node
                     * @instance
                     */
                    Node.prototype.metadata = null;

                    /**
                     * Creates a new Node instance using the specified properties.
                     * @function create
                     * @memberof envoy.config.core.v3.Node
                     * @static
                     * @param {envoy.config.core.v3.Node.$Properties=} [properties] Properties to set
                     * @returns {envoy.config.core.v3.Node} Node instance
                     * @type {{
                     *   (properties: envoy.config.core.v3.Node.$Shape): envoy.config.core.v3.Node & envoy.config.core.v3.Node.$Shape;
                     *   (properties?: envoy.config.core.v3.Node.$Properties): envoy.config.core.v3.Node;
                     * }}
                     */
                    Node.create = function(properties) {
                        return new Node(properties);
                    };

                    /**
                     * Encodes the specified Node message. Does not implicitly {@link envoy.config.core.v3.Node.verify|verify} messages.
                     * @function encode
                     * @memberof envoy.config.core.v3.Node
                     * @static
                     * @param {envoy.config.core.v3.Node.$Properties} message Node message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    Node.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.id != null && $Object.hasOwnProperty.call(message, "id") && message.id !== "")
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.id);
                        if (message.cluster != null && $Object.hasOwnProperty.call(message, "cluster") && message.cluster !== "")
                            writer.uint32(/* id 2, wireType 2 =*/18).string(message.cluster);
                        if (message.metadata != null && $Object.hasOwnProperty.call(message, "metadata"))
                            $root.google.protobuf.Struct.encode(message.metadata, writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a Node message from the specified reader or buffer.
                     * @function decode
                     * @memberof envoy.config.core.v3.Node
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {envoy.config.core.v3.Node & envoy.config.core.v3.Node.$Shape} Node
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    Node.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message, value;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.envoy.config.core.v3.Node();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.id = value;
                                    else
                                        delete message.id;
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    if ((value = reader.stringVerify()).length)
                                        message.cluster = value;
                                    else
                                        delete message.cluster;
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    message.metadata = $root.google.protobuf.Struct.decode(reader, reader.size(), $undefined, _depth + 1, message.metadata);
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return Node;
                })();

                v3.DataSource = (function() {

                    /**
                     * Properties of a DataSource.
                     * @typedef {Object} envoy.config.core.v3.DataSource.$Properties
                     * @property {string|null} [filename] DataSource filename
                     * @property {Uint8Array|null} [inline_bytes] DataSource inline_bytes
                     * @property {string|null} [inline_string] DataSource inline_string
                     * @property {string|null} [environment_variable] DataSource environment_variable
                     * @property {"filename"|"inline_bytes"|"inline_string"|"environment_variable"} [specifier] DataSource specifier
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */

                    /**
                     * Properties of a DataSource.
                     * @memberof envoy.config.core.v3
                     * @interface IDataSource
                     * @augments envoy.config.core.v3.DataSource.$Properties
                     * @deprecated Use envoy.config.core.v3.DataSource.$Properties instead.
                     */

                    /**
                     * Narrowed shape of a DataSource.
                     * @typedef {{
                     *   filename?: string|null;
                     *   inline_bytes?: Uint8Array|null;
                     *   inline_string?: string|null;
                     *   environment_variable?: string|null;
                     *   $unknowns?: Array.<Uint8Array>;
                     * } & (
                     *   ({ specifier?: undefined; filename?: null; inline_bytes?: null; inline_string?: null; environment_variable?: null }|{ specifier?: "filename"; filename: string; inline_bytes?: null; inline_string?: null; environment_variable?: null }|{ specifier?: "inline_bytes"; filename?: null; inline_bytes: Uint8Array; inline_string?: null; environment_variable?: null }|{ specifier?: "inline_string"; filename?: null; inline_bytes?: null; inline_string: string; environment_variable?: null }|{ specifier?: "environment_variable"; filename?: null; inline_bytes?: null; inline_string?: null; environment_variable: string })
                     * )} envoy.config.core.v3.DataSource.$Shape
                     */

                    /**
                     * Constructs a new DataSource.
                     * @memberof envoy.config.core.v3
                     * @classdesc Represents a DataSource.
                     * @constructor
                     * @param {envoy.config.core.v3.DataSource.$Properties=} [properties] Properties to set
                     * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                     */
                    const DataSource = function (properties) {
                        if (properties)
                            for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                    this[keys[i]] = properties[keys[i]];
                    };

                    /**
                     * DataSource filename.
                     * @member {string|null|undefined} filename
                     * @memberof envoy.config.core.v3.DataSource
                     * @instance
                     */
                    DataSource.prototype.filename = null;

                    /**
                     * DataSource inline_bytes.
                     * @member {Uint8Array|null|undefined} inline_bytes
                     * @memberof envoy.config.core.v3.DataSource
                     * @instance
                     */
                    DataSource.prototype.inline_bytes = null;

                    /**
                     * DataSource inline_string.
                     * @member {string|null|undefined} inline_string
                     * @memberof envoy.config.core.v3.DataSource
                     * @instance
                     */
                    DataSource.prototype.inline_string = null;

                    /**
                     * DataSource environment_variable.
                     * @member {string|null|undefined} environment_variable
                     * @memberof envoy.config.core.v3.DataSource
                     * @instance
                     */
                    DataSource.prototype.environment_variable = null;

                    // OneOf field names bound to virtual getters and setters
                    let $oneOfFields;

                    /**
                     * DataSource specifier.
                     * @member {"filename"|"inline_bytes"|"inline_string"|"environment_variable"|undefined} specifier
                     * @memberof envoy.config.core.v3.DataSource
                     * @instance
                     */
                    $Object.defineProperty(DataSource.prototype, "specifier", {
                        get: $util.oneOfGetter($oneOfFields = ["filename", "inline_bytes", "inline_string", "environment_variable"]),
                        set: $util.oneOfSetter($oneOfFields)
                    });

                    /**
                     * Creates a new DataSource instance using the specified properties.
                     * @function create
                     * @memberof envoy.config.core.v3.DataSource
                     * @static
                     * @param {envoy.config.core.v3.DataSource.$Properties=} [properties] Properties to set
                     * @returns {envoy.config.core.v3.DataSource} DataSource instance
                     * @type {{
                     *   (properties: envoy.config.core.v3.DataSource.$Shape): envoy.config.core.v3.DataSource & envoy.config.core.v3.DataSource.$Shape;
                     *   (properties?: envoy.config.core.v3.DataSource.$Properties): envoy.config.core.v3.DataSource;
                     * }}
                     */
                    DataSource.create = function(properties) {
                        return new DataSource(properties);
                    };

                    /**
                     * Encodes the specified DataSource message. Does not implicitly {@link envoy.config.core.v3.DataSource.verify|verify} messages.
                     * @function encode
                     * @memberof envoy.config.core.v3.DataSource
                     * @static
                     * @param {envoy.config.core.v3.DataSource.$Properties} message DataSource message or plain object to encode
                     * @param {$protobuf.Writer} [writer] Writer to encode to
                     * @returns {$protobuf.Writer} Writer
                     */
                    DataSource.encode = function (message, writer, _depth) {
                        if (!writer)
                            writer = $Writer.create();
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $util.recursionLimit)
                            throw $Error("max depth exceeded");
                        if (message.filename != null && $Object.hasOwnProperty.call(message, "filename"))
                            writer.uint32(/* id 1, wireType 2 =*/10).string(message.filename);
                        if (message.inline_bytes != null && $Object.hasOwnProperty.call(message, "inline_bytes"))
                            writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.inline_bytes);
                        if (message.inline_string != null && $Object.hasOwnProperty.call(message, "inline_string"))
                            writer.uint32(/* id 3, wireType 2 =*/26).string(message.inline_string);
                        if (message.environment_variable != null && $Object.hasOwnProperty.call(message, "environment_variable"))
                            writer.uint32(/* id 4, wireType 2 =*/34).string(message.environment_variable);
                        if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                            for (let i = 0; i < message.$unknowns.length; ++i)
                                writer.raw(message.$unknowns[i]);
                        return writer;
                    };

                    /**
                     * Decodes a DataSource message from the specified reader or buffer.
                     * @function decode
                     * @memberof envoy.config.core.v3.DataSource
                     * @static
                     * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                     * @param {number} [length] Message length if known beforehand
                     * @returns {envoy.config.core.v3.DataSource & envoy.config.core.v3.DataSource.$Shape} DataSource
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    DataSource.decode = function (reader, length, _end, _depth, _target) {
                        if (!(reader instanceof $Reader))
                            reader = $Reader.create(reader);
                        if (_depth === $undefined)
                            _depth = 0;
                        if (_depth > $Reader.recursionLimit)
                            throw $Error("max depth exceeded");
                        let end, message;
                        if (length === $undefined)
                            end = reader.len;
                        else {
                            end = reader.pos + length;
                            if (end > reader.len)
                                throw $RangeError("index out of range");
                            length = reader.len;
                            reader.len = end;
                        }
                        message = _target || new $root.envoy.config.core.v3.DataSource();
                        while (reader.pos < end) {
                            let start = reader.pos;
                            let tag = reader.tag();
                            if (tag === _end) {
                                _end = $undefined;
                                break;
                            }
                            let wireType = tag & 7;
                            switch (tag >>>= 3) {
                            case 1: {
                                    if (wireType !== 2)
                                        break;
                                    message.filename = reader.stringVerify();
                                    message.specifier = "filename";
                                    continue;
                                }
                            case 2: {
                                    if (wireType !== 2)
                                        break;
                                    message.inline_bytes = reader.bytes();
                                    message.specifier = "inline_bytes";
                                    continue;
                                }
                            case 3: {
                                    if (wireType !== 2)
                                        break;
                                    message.inline_string = reader.stringVerify();
                                    message.specifier = "inline_string";
                                    continue;
                                }
                            case 4: {
                                    if (wireType !== 2)
                                        break;
                                    message.environment_variable = reader.stringVerify();
                                    message.specifier = "environment_variable";
                                    continue;
                                }
                            }
                            reader.skipType(wireType, _depth, tag);
                            if (!reader.discardUnknown) {
                                $util.makeProp(message, "$unknowns", false);
                                (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                            }
                        }
                        if (length !== $undefined) {
                            if (reader.pos !== end)
                                throw $RangeError("index out of range");
                            reader.len = length;
                        }
                        if (_end !== $undefined)
                            throw $Error("missing end group");
                        return message;
                    };

                    return DataSource;
                })();

                return v3;
            })();

            return core;
        })();

        return config;
    })();

    envoy.extensions = (function() {

        /**
         * Namespace extensions.
         * @memberof envoy
         * @namespace
         */
        const extensions = {};

        extensions.transport_sockets = (function() {

            /**
             * Namespace transport_sockets.
             * @memberof envoy.extensions
             * @namespace
             */
            const transport_sockets = {};

            transport_sockets.tls = (function() {

                /**
                 * Namespace tls.
                 * @memberof envoy.extensions.transport_sockets
                 * @namespace
                 */
                const tls = {};

                tls.v3 = (function() {

                    /**
                     * Namespace v3.
                     * @memberof envoy.extensions.transport_sockets.tls
                     * @namespace
                     */
                    const v3 = {};

                    v3.TlsCertificate = (function() {

                        /**
                         * Properties of a TlsCertificate.
                         * @typedef {Object} envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties
                         * @property {envoy.config.core.v3.DataSource.$Properties|null} [certificate_chain] TlsCertificate certificate_chain
                         * @property {envoy.config.core.v3.DataSource.$Properties|null} [private_key] TlsCertificate private_key
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a TlsCertificate.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @interface ITlsCertificate
                         * @augments envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties
                         * @deprecated Use envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties instead.
                         */

                        /**
                         * Shape of a TlsCertificate.
                         * @typedef {{
                         *   certificate_chain?: envoy.config.core.v3.DataSource.$Shape|null;
                         *   private_key?: envoy.config.core.v3.DataSource.$Shape|null;
                         *   $unknowns?: Array.<Uint8Array>;
                         * }} envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape
                         */

                        /**
                         * Constructs a new TlsCertificate.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @classdesc Represents a TlsCertificate.
                         * @constructor
                         * @param {envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const TlsCertificate = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * TlsCertificate certificate_chain.
                         * @member {envoy.config.core.v3.DataSource.$Properties|null|undefined} certificate_chain
                         * @memberof envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                         * @instance
                         */
                        TlsCertificate.prototype.certificate_chain = null;

                        /**
                         * TlsCertificate private_key.
                         * @member {envoy.config.core.v3.DataSource.$Properties|null|undefined} private_key
                         * @memberof envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                         * @instance
                         */
                        TlsCertificate.prototype.private_key = null;

                        /**
                         * Creates a new TlsCertificate instance using the specified properties.
                         * @function create
                         * @memberof envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties=} [properties] Properties to set
                         * @returns {envoy.extensions.transport_sockets.tls.v3.TlsCertificate} TlsCertificate instance
                         * @type {{
                         *   (properties: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape): envoy.extensions.transport_sockets.tls.v3.TlsCertificate & envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape;
                         *   (properties?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties): envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
                         * }}
                         */
                        TlsCertificate.create = function(properties) {
                            return new TlsCertificate(properties);
                        };

                        /**
                         * Encodes the specified TlsCertificate message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.TlsCertificate.verify|verify} messages.
                         * @function encode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties} message TlsCertificate message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        TlsCertificate.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.certificate_chain != null && $Object.hasOwnProperty.call(message, "certificate_chain"))
                                $root.envoy.config.core.v3.DataSource.encode(message.certificate_chain, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.private_key != null && $Object.hasOwnProperty.call(message, "private_key"))
                                $root.envoy.config.core.v3.DataSource.encode(message.private_key, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a TlsCertificate message from the specified reader or buffer.
                         * @function decode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.TlsCertificate
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.TlsCertificate & envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape} TlsCertificate
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        TlsCertificate.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.envoy.extensions.transport_sockets.tls.v3.TlsCertificate();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        message.certificate_chain = $root.envoy.config.core.v3.DataSource.decode(reader, reader.size(), $undefined, _depth + 1, message.certificate_chain);
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.private_key = $root.envoy.config.core.v3.DataSource.decode(reader, reader.size(), $undefined, _depth + 1, message.private_key);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return TlsCertificate;
                    })();

                    v3.CertificateValidationContext = (function() {

                        /**
                         * Properties of a CertificateValidationContext.
                         * @typedef {Object} envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties
                         * @property {envoy.config.core.v3.DataSource.$Properties|null} [trusted_ca] CertificateValidationContext trusted_ca
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a CertificateValidationContext.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @interface ICertificateValidationContext
                         * @augments envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties
                         * @deprecated Use envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties instead.
                         */

                        /**
                         * Shape of a CertificateValidationContext.
                         * @typedef {{
                         *   trusted_ca?: envoy.config.core.v3.DataSource.$Shape|null;
                         *   $unknowns?: Array.<Uint8Array>;
                         * }} envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape
                         */

                        /**
                         * Constructs a new CertificateValidationContext.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @classdesc Represents a CertificateValidationContext.
                         * @constructor
                         * @param {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const CertificateValidationContext = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * CertificateValidationContext trusted_ca.
                         * @member {envoy.config.core.v3.DataSource.$Properties|null|undefined} trusted_ca
                         * @memberof envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                         * @instance
                         */
                        CertificateValidationContext.prototype.trusted_ca = null;

                        /**
                         * Creates a new CertificateValidationContext instance using the specified properties.
                         * @function create
                         * @memberof envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties=} [properties] Properties to set
                         * @returns {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext} CertificateValidationContext instance
                         * @type {{
                         *   (properties: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape): envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext & envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape;
                         *   (properties?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties): envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
                         * }}
                         */
                        CertificateValidationContext.create = function(properties) {
                            return new CertificateValidationContext(properties);
                        };

                        /**
                         * Encodes the specified CertificateValidationContext message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.verify|verify} messages.
                         * @function encode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties} message CertificateValidationContext message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        CertificateValidationContext.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.trusted_ca != null && $Object.hasOwnProperty.call(message, "trusted_ca"))
                                $root.envoy.config.core.v3.DataSource.encode(message.trusted_ca, writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a CertificateValidationContext message from the specified reader or buffer.
                         * @function decode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext & envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape} CertificateValidationContext
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        CertificateValidationContext.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        message.trusted_ca = $root.envoy.config.core.v3.DataSource.decode(reader, reader.size(), $undefined, _depth + 1, message.trusted_ca);
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return CertificateValidationContext;
                    })();

                    v3.Secret = (function() {

                        /**
                         * Properties of a Secret.
                         * @typedef {Object} envoy.extensions.transport_sockets.tls.v3.Secret.$Properties
                         * @property {string|null} [name] Secret name
                         * @property {envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties|null} [tls_certificate] Secret tls_certificate
                         * @property {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties|null} [validation_context] Secret validation_context
                         * @property {"tls_certificate"|"validation_context"} [type] Secret type
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */

                        /**
                         * Properties of a Secret.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @interface ISecret
                         * @augments envoy.extensions.transport_sockets.tls.v3.Secret.$Properties
                         * @deprecated Use envoy.extensions.transport_sockets.tls.v3.Secret.$Properties instead.
                         */

                        /**
                         * Narrowed shape of a Secret.
                         * @typedef {{
                         *   name?: string|null;
                         *   tls_certificate?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape|null;
                         *   validation_context?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape|null;
                         *   $unknowns?: Array.<Uint8Array>;
                         * } & (
                         *   ({ type?: undefined; tls_certificate?: null; validation_context?: null }|{ type?: "tls_certificate"; tls_certificate: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape; validation_context?: null }|{ type?: "validation_context"; tls_certificate?: null; validation_context: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape })
                         * )} envoy.extensions.transport_sockets.tls.v3.Secret.$Shape
                         */

                        /**
                         * Constructs a new Secret.
                         * @memberof envoy.extensions.transport_sockets.tls.v3
                         * @classdesc Represents a Secret.
                         * @constructor
                         * @param {envoy.extensions.transport_sockets.tls.v3.Secret.$Properties=} [properties] Properties to set
                         * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                         */
                        const Secret = function (properties) {
                            if (properties)
                                for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                                    if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                        this[keys[i]] = properties[keys[i]];
                        };

                        /**
                         * Secret name.
                         * @member {string} name
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @instance
                         */
                        Secret.prototype.name = "";

                        /**
                         * Secret tls_certificate.
                         * @member {envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties|null|undefined} tls_certificate
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @instance
                         */
                        Secret.prototype.tls_certificate = null;

                        /**
                         * Secret validation_context.
                         * @member {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties|null|undefined} validation_context
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @instance
                         */
                        Secret.prototype.validation_context = null;

                        // OneOf field names bound to virtual getters and setters
                        let $oneOfFields;

                        /**
                         * Secret type.
                         * @member {"tls_certificate"|"validation_context"|undefined} type
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @instance
                         */
                        $Object.defineProperty(Secret.prototype, "type", {
                            get: $util.oneOfGetter($oneOfFields = ["tls_certificate", "validation_context"]),
                            set: $util.oneOfSetter($oneOfFields)
                        });

                        /**
                         * Creates a new Secret instance using the specified properties.
                         * @function create
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.Secret.$Properties=} [properties] Properties to set
                         * @returns {envoy.extensions.transport_sockets.tls.v3.Secret} Secret instance
                         * @type {{
                         *   (properties: envoy.extensions.transport_sockets.tls.v3.Secret.$Shape): envoy.extensions.transport_sockets.tls.v3.Secret & envoy.extensions.transport_sockets.tls.v3.Secret.$Shape;
                         *   (properties?: envoy.extensions.transport_sockets.tls.v3.Secret.$Properties): envoy.extensions.transport_sockets.tls.v3.Secret;
                         * }}
                         */
                        Secret.create = function(properties) {
                            return new Secret(properties);
                        };

                        /**
                         * Encodes the specified Secret message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.Secret.verify|verify} messages.
                         * @function encode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @static
                         * @param {envoy.extensions.transport_sockets.tls.v3.Secret.$Properties} message Secret message or plain object to encode
                         * @param {$protobuf.Writer} [writer] Writer to encode to
                         * @returns {$protobuf.Writer} Writer
                         */
                        Secret.encode = function (message, writer, _depth) {
                            if (!writer)
                                writer = $Writer.create();
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $util.recursionLimit)
                                throw $Error("max depth exceeded");
                            if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                                writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                            if (message.tls_certificate != null && $Object.hasOwnProperty.call(message, "tls_certificate"))
                                $root.envoy.extensions.transport_sockets.tls.v3.TlsCertificate.encode(message.tls_certificate, writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim();
                            if (message.validation_context != null && $Object.hasOwnProperty.call(message, "validation_context"))
                                $root.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.encode(message.validation_context, writer.uint32(/* id 4, wireType 2 =*/34).fork(), _depth + 1).ldelim();
                            if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                                for (let i = 0; i < message.$unknowns.length; ++i)
                                    writer.raw(message.$unknowns[i]);
                            return writer;
                        };

                        /**
                         * Decodes a Secret message from the specified reader or buffer.
                         * @function decode
                         * @memberof envoy.extensions.transport_sockets.tls.v3.Secret
                         * @static
                         * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                         * @param {number} [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.Secret & envoy.extensions.transport_sockets.tls.v3.Secret.$Shape} Secret
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        Secret.decode = function (reader, length, _end, _depth, _target) {
                            if (!(reader instanceof $Reader))
                                reader = $Reader.create(reader);
                            if (_depth === $undefined)
                                _depth = 0;
                            if (_depth > $Reader.recursionLimit)
                                throw $Error("max depth exceeded");
                            let end, message, value;
                            if (length === $undefined)
                                end = reader.len;
                            else {
                                end = reader.pos + length;
                                if (end > reader.len)
                                    throw $RangeError("index out of range");
                                length = reader.len;
                                reader.len = end;
                            }
                            message = _target || new $root.envoy.extensions.transport_sockets.tls.v3.Secret();
                            while (reader.pos < end) {
                                let start = reader.pos;
                                let tag = reader.tag();
                                if (tag === _end) {
                                    _end = $undefined;
                                    break;
                                }
                                let wireType = tag & 7;
                                switch (tag >>>= 3) {
                                case 1: {
                                        if (wireType !== 2)
                                            break;
                                        if ((value = reader.stringVerify()).length)
                                            message.name = value;
                                        else
                                            delete message.name;
                                        continue;
                                    }
                                case 2: {
                                        if (wireType !== 2)
                                            break;
                                        message.tls_certificate = $root.envoy.extensions.transport_sockets.tls.v3.TlsCertificate.decode(reader, reader.size(), $undefined, _depth + 1, message.tls_certificate);
                                        message.type = "tls_certificate";
                                        continue;
                                    }
                                case 4: {
                                        if (wireType !== 2)
                                            break;
                                        message.validation_context = $root.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.decode(reader, reader.size(), $undefined, _depth + 1, message.validation_context);
                                        message.type = "validation_context";
                                        continue;
                                    }
                                }
                                reader.skipType(wireType, _depth, tag);
                                if (!reader.discardUnknown) {
                                    $util.makeProp(message, "$unknowns", false);
                                    (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                                }
                            }
                            if (length !== $undefined) {
                                if (reader.pos !== end)
                                    throw $RangeError("index out of range");
                                reader.len = length;
                            }
                            if (_end !== $undefined)
                                throw $Error("missing end group");
                            return message;
                        };

                        return Secret;
                    })();

                    return v3;
                })();

                return tls;
            })();

            return transport_sockets;
        })();

        return extensions;
    })();

    return envoy;
})();

export const google = $root.google = (() => {

    /**
     * Namespace google.
     * @exports google
     * @namespace
     */
    const google = {};

    google.protobuf = (function() {

        /**
         * Namespace protobuf.
         * @memberof google
         * @namespace
         */
        const protobuf = {};

        protobuf.Struct = (function() {

            /**
             * Properties of a Struct.
             * @typedef {Object} google.protobuf.Struct.$Properties
             * @property {Object.<string,google.protobuf.Value.$Properties>|null} [fields] Struct fields
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Struct.
             * @memberof google.protobuf
             * @interface IStruct
             * @augments google.protobuf.Struct.$Properties
             * @deprecated Use google.protobuf.Struct.$Properties instead.
             */

            /**
             * Shape of a Struct.
             * @typedef {{
             *   fields?: Object.<string,google.protobuf.Value.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} google.protobuf.Struct.$Shape
             */

            /**
             * Constructs a new Struct.
             * @memberof google.protobuf
             * @classdesc Represents a Struct.
             * @constructor
             * @param {google.protobuf.Struct.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Struct = function (properties) {
                this.fields = {};
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Struct fields.
             * @member {Object.<string,google.protobuf.Value.$Properties>} fields
             * @memberof google.protobuf.Struct
             * @instance
             */
            Struct.prototype.fields = $util.emptyObject;

            /**
             * Creates a new Struct instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Struct
             * @static
             * @param {google.protobuf.Struct.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Struct} Struct instance
             * @type {{
             *   (properties: google.protobuf.Struct.$Shape): google.protobuf.Struct & google.protobuf.Struct.$Shape;
             *   (properties?: google.protobuf.Struct.$Properties): google.protobuf.Struct;
             * }}
             */
            Struct.create = function(properties) {
                return new Struct(properties);
            };

            /**
             * Encodes the specified Struct message. Does not implicitly {@link google.protobuf.Struct.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Struct
             * @static
             * @param {google.protobuf.Struct.$Properties} message Struct message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Struct.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.fields != null && $Object.hasOwnProperty.call(message, "fields"))
                    for (let keys = $Object.keys(message.fields), i = 0; i < keys.length; ++i) {
                        writer.uint32(/* id 1, wireType 2 =*/10).fork().uint32(/* id 1, wireType 2 =*/10).string(keys[i]);
                        $root.google.protobuf.Value.encode(message.fields[keys[i]], writer.uint32(/* id 2, wireType 2 =*/18).fork(), _depth + 1).ldelim().ldelim();
                    }
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Struct message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Struct
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Struct & google.protobuf.Struct.$Shape} Struct
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Struct.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, key, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Struct();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (message.fields === $util.emptyObject)
                                message.fields = {};
                            let end2 = reader.size() + reader.pos;
                            if (end2 > reader.len)
                                throw $RangeError("index out of range");
                            reader.len = end2;
                            key = "";
                            value = null;
                            while (reader.pos < end2) {
                                let tag2 = reader.tag();
                                wireType = tag2 & 7;
                                switch (tag2 >>>= 3) {
                                case 1:
                                    if (wireType !== 2)
                                        break;
                                    key = reader.stringVerify();
                                    continue;
                                case 2:
                                    if (wireType !== 2)
                                        break;
                                    value = $root.google.protobuf.Value.decode(reader, reader.size(), $undefined, _depth + 1, value);
                                    continue;
                                }
                                reader.skipType(wireType, _depth, tag2);
                            }
                            if (reader.pos !== end2)
                                throw $RangeError("index out of range");
                            reader.len = end;
                            if (key === "__proto__")
                                $util.makeProp(message.fields, key);
                            message.fields[key] = value || new $root.google.protobuf.Value();
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Struct;
        })();

        protobuf.Value = (function() {

            /**
             * Properties of a Value.
             * @typedef {Object} google.protobuf.Value.$Properties
             * @property {google.protobuf.NullValue|null} [nullValue] Value nullValue
             * @property {number|null} [numberValue] Value numberValue
             * @property {string|null} [stringValue] Value stringValue
             * @property {boolean|null} [boolValue] Value boolValue
             * @property {google.protobuf.Struct.$Properties|null} [structValue] Value structValue
             * @property {google.protobuf.ListValue.$Properties|null} [listValue] Value listValue
             * @property {"nullValue"|"numberValue"|"stringValue"|"boolValue"|"structValue"|"listValue"} [kind] Value kind
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Value.
             * @memberof google.protobuf
             * @interface IValue
             * @augments google.protobuf.Value.$Properties
             * @deprecated Use google.protobuf.Value.$Properties instead.
             */

            /**
             * Narrowed shape of a Value.
             * @typedef {{
             *   nullValue?: google.protobuf.NullValue|null;
             *   numberValue?: number|null;
             *   stringValue?: string|null;
             *   boolValue?: boolean|null;
             *   structValue?: google.protobuf.Struct.$Shape|null;
             *   listValue?: google.protobuf.ListValue.$Shape|null;
             *   $unknowns?: Array.<Uint8Array>;
             * } & (
             *   ({ kind?: undefined; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "nullValue"; nullValue: google.protobuf.NullValue; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "numberValue"; nullValue?: null; numberValue: number; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "stringValue"; nullValue?: null; numberValue?: null; stringValue: string; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "boolValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue: boolean; structValue?: null; listValue?: null }|{ kind?: "structValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue: google.protobuf.Struct.$Shape; listValue?: null }|{ kind?: "listValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue: google.protobuf.ListValue.$Shape })
             * )} google.protobuf.Value.$Shape
             */

            /**
             * Constructs a new Value.
             * @memberof google.protobuf
             * @classdesc Represents a Value.
             * @constructor
             * @param {google.protobuf.Value.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Value = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Value nullValue.
             * @member {google.protobuf.NullValue|null|undefined} nullValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.nullValue = null;

            /**
             * Value numberValue.
             * @member {number|null|undefined} numberValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.numberValue = null;

            /**
             * Value stringValue.
             * @member {string|null|undefined} stringValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.stringValue = null;

            /**
             * Value boolValue.
             * @member {boolean|null|undefined} boolValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.boolValue = null;

            /**
             * Value structValue.
             * @member {google.protobuf.Struct.$Properties|null|undefined} structValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.structValue = null;

            /**
             * Value listValue.
             * @member {google.protobuf.ListValue.$Properties|null|undefined} listValue
             * @memberof google.protobuf.Value
             * @instance
             */
            Value.prototype.listValue = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * Value kind.
             * @member {"nullValue"|"numberValue"|"stringValue"|"boolValue"|"structValue"|"listValue"|undefined} kind
             * @memberof google.protobuf.Value
             * @instance
             */
            $Object.defineProperty(Value.prototype, "kind", {
                get: $util.oneOfGetter($oneOfFields = ["nullValue", "numberValue", "stringValue", "boolValue", "structValue", "listValue"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Value instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Value
             * @static
             * @param {google.protobuf.Value.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Value} Value instance
             * @type {{
             *   (properties: google.protobuf.Value.$Shape): google.protobuf.Value & google.protobuf.Value.$Shape;
             *   (properties?: google.protobuf.Value.$Properties): google.protobuf.Value;
             * }}
             */
            Value.create = function(properties) {
                return new Value(properties);
            };

            /**
             * Encodes the specified Value message. Does not implicitly {@link google.protobuf.Value.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Value
             * @static
             * @param {google.protobuf.Value.$Properties} message Value message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Value.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.nullValue != null && $Object.hasOwnProperty.call(message, "nullValue"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.nullValue);
                if (message.numberValue != null && $Object.hasOwnProperty.call(message, "numberValue"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.numberValue);
                if (message.stringValue != null && $Object.hasOwnProperty.call(message, "stringValue"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.stringValue);
                if (message.boolValue != null && $Object.hasOwnProperty.call(message, "boolValue"))
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.boolValue);
                if (message.structValue != null && $Object.hasOwnProperty.call(message, "structValue"))
                    $root.google.protobuf.Struct.encode(message.structValue, writer.uint32(/* id 5, wireType 2 =*/42).fork(), _depth + 1).ldelim();
                if (message.listValue != null && $Object.hasOwnProperty.call(message, "listValue"))
                    $root.google.protobuf.ListValue.encode(message.listValue, writer.uint32(/* id 6, wireType 2 =*/50).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Value message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Value
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Value & google.protobuf.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Value.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Value();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            message.nullValue = reader.int32();
                            message.kind = "nullValue";
                            continue;
                        }
                    case 2: {
                            if (wireType !== 1)
                                break;
                            message.numberValue = reader.double();
                            message.kind = "numberValue";
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            message.stringValue = reader.stringVerify();
                            message.kind = "stringValue";
                            continue;
                        }
                    case 4: {
                            if (wireType !== 0)
                                break;
                            message.boolValue = reader.bool();
                            message.kind = "boolValue";
                            continue;
                        }
                    case 5: {
                            if (wireType !== 2)
                                break;
                            message.structValue = $root.google.protobuf.Struct.decode(reader, reader.size(), $undefined, _depth + 1, message.structValue);
                            message.kind = "structValue";
                            continue;
                        }
                    case 6: {
                            if (wireType !== 2)
                                break;
                            message.listValue = $root.google.protobuf.ListValue.decode(reader, reader.size(), $undefined, _depth + 1, message.listValue);
                            message.kind = "listValue";
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Value;
        })();

        /**
         * NullValue enum.
         * @name google.protobuf.NullValue
         * @enum {number}
         * @property {number} NULL_VALUE=0 NULL_VALUE value
         */
        protobuf.NullValue = (function() {
            const valuesById = $Object.create(null), values = $Object.create(valuesById);
            values[valuesById[0] = "NULL_VALUE"] = 0;
            return values;
        })();

        protobuf.ListValue = (function() {

            /**
             * Properties of a ListValue.
             * @typedef {Object} google.protobuf.ListValue.$Properties
             * @property {Array.<google.protobuf.Value.$Properties>|null} [values] ListValue values
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a ListValue.
             * @memberof google.protobuf
             * @interface IListValue
             * @augments google.protobuf.ListValue.$Properties
             * @deprecated Use google.protobuf.ListValue.$Properties instead.
             */

            /**
             * Shape of a ListValue.
             * @typedef {{
             *   values?: Array.<google.protobuf.Value.$Shape>|null;
             *   $unknowns?: Array.<Uint8Array>;
             * }} google.protobuf.ListValue.$Shape
             */

            /**
             * Constructs a new ListValue.
             * @memberof google.protobuf
             * @classdesc Represents a ListValue.
             * @constructor
             * @param {google.protobuf.ListValue.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const ListValue = function (properties) {
                this.values = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * ListValue values.
             * @member {Array.<google.protobuf.Value.$Properties>} values
             * @memberof google.protobuf.ListValue
             * @instance
             */
            ListValue.prototype.values = $util.emptyArray;

            /**
             * Creates a new ListValue instance using the specified properties.
             * @function create
             * @memberof google.protobuf.ListValue
             * @static
             * @param {google.protobuf.ListValue.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.ListValue} ListValue instance
             * @type {{
             *   (properties: google.protobuf.ListValue.$Shape): google.protobuf.ListValue & google.protobuf.ListValue.$Shape;
             *   (properties?: google.protobuf.ListValue.$Properties): google.protobuf.ListValue;
             * }}
             */
            ListValue.create = function(properties) {
                return new ListValue(properties);
            };

            /**
             * Encodes the specified ListValue message. Does not implicitly {@link google.protobuf.ListValue.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.ListValue
             * @static
             * @param {google.protobuf.ListValue.$Properties} message ListValue message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ListValue.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.values != null && message.values.length)
                    for (let i = 0; i < message.values.length; ++i)
                        $root.google.protobuf.Value.encode(message.values[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a ListValue message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.ListValue
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.ListValue & google.protobuf.ListValue.$Shape} ListValue
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ListValue.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.ListValue();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if (!(message.values && message.values.length))
                                message.values = [];
                            message.values.push($root.google.protobuf.Value.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return ListValue;
        })();

        protobuf.Any = (function() {

            /**
             * Properties of an Any.
             * @typedef {Object} google.protobuf.Any.$Properties
             * @property {string|null} [type_url] Any type_url
             * @property {Uint8Array|null} [value] Any value
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of an Any.
             * @memberof google.protobuf
             * @interface IAny
             * @augments google.protobuf.Any.$Properties
             * @deprecated Use google.protobuf.Any.$Properties instead.
             */

            /**
             * Shape of an Any.
             * @typedef {google.protobuf.Any.$Properties} google.protobuf.Any.$Shape
             */

            /**
             * Constructs a new Any.
             * @memberof google.protobuf
             * @classdesc Represents an Any.
             * @constructor
             * @param {google.protobuf.Any.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Any = function (properties) {
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Any type_url.
             * @member {string} type_url
             * @memberof google.protobuf.Any
             * @instance
             */
            Any.prototype.type_url = "";

            /**
             * Any value.
             * @member {Uint8Array} value
             * @memberof google.protobuf.Any
             * @instance
             */
            Any.prototype.value = $util.newBuffer([]);

            /**
             * Creates a new Any instance using the specified properties.
             * @function create
             * @memberof google.protobuf.Any
             * @static
             * @param {google.protobuf.Any.$Properties=} [properties] Properties to set
             * @returns {google.protobuf.Any} Any instance
             * @type {{
             *   (properties: google.protobuf.Any.$Shape): google.protobuf.Any & google.protobuf.Any.$Shape;
             *   (properties?: google.protobuf.Any.$Properties): google.protobuf.Any;
             * }}
             */
            Any.create = function(properties) {
                return new Any(properties);
            };

            /**
             * Encodes the specified Any message. Does not implicitly {@link google.protobuf.Any.verify|verify} messages.
             * @function encode
             * @memberof google.protobuf.Any
             * @static
             * @param {google.protobuf.Any.$Properties} message Any message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Any.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.type_url != null && $Object.hasOwnProperty.call(message, "type_url") && message.type_url !== "")
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.type_url);
                if (message.value != null && $Object.hasOwnProperty.call(message, "value") && message.value.length)
                    writer.uint32(/* id 2, wireType 2 =*/18).bytes(message.value);
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes an Any message from the specified reader or buffer.
             * @function decode
             * @memberof google.protobuf.Any
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.protobuf.Any & google.protobuf.Any.$Shape} Any
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Any.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.protobuf.Any();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.type_url = value;
                            else
                                delete message.type_url;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.bytes()).length)
                                message.value = value;
                            else
                                delete message.value;
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Any;
        })();

        return protobuf;
    })();

    google.rpc = (function() {

        /**
         * Namespace rpc.
         * @memberof google
         * @namespace
         */
        const rpc = {};

        rpc.Status = (function() {

            /**
             * Properties of a Status.
             * @typedef {Object} google.rpc.Status.$Properties
             * @property {number|null} [code] Status code
             * @property {string|null} [message] Status message
             * @property {Array.<google.protobuf.Any.$Properties>|null} [details] Status details
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */

            /**
             * Properties of a Status.
             * @memberof google.rpc
             * @interface IStatus
             * @augments google.rpc.Status.$Properties
             * @deprecated Use google.rpc.Status.$Properties instead.
             */

            /**
             * Shape of a Status.
             * @typedef {google.rpc.Status.$Properties} google.rpc.Status.$Shape
             */

            /**
             * Constructs a new Status.
             * @memberof google.rpc
             * @classdesc Represents a Status.
             * @constructor
             * @param {google.rpc.Status.$Properties=} [properties] Properties to set
             * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
             */
            const Status = function (properties) {
                this.details = [];
                if (properties)
                    for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            };

            /**
             * Status code.
             * @member {number} code
             * @memberof google.rpc.Status
             * @instance
             */
            Status.prototype.code = 0;

            /**
             * Status message.
             * @member {string} message
             * @memberof google.rpc.Status
             * @instance
             */
            Status.prototype.message = "";

            /**
             * Status details.
             * @member {Array.<google.protobuf.Any.$Properties>} details
             * @memberof google.rpc.Status
             * @instance
             */
            Status.prototype.details = $util.emptyArray;

            /**
             * Creates a new Status instance using the specified properties.
             * @function create
             * @memberof google.rpc.Status
             * @static
             * @param {google.rpc.Status.$Properties=} [properties] Properties to set
             * @returns {google.rpc.Status} Status instance
             * @type {{
             *   (properties: google.rpc.Status.$Shape): google.rpc.Status & google.rpc.Status.$Shape;
             *   (properties?: google.rpc.Status.$Properties): google.rpc.Status;
             * }}
             */
            Status.create = function(properties) {
                return new Status(properties);
            };

            /**
             * Encodes the specified Status message. Does not implicitly {@link google.rpc.Status.verify|verify} messages.
             * @function encode
             * @memberof google.rpc.Status
             * @static
             * @param {google.rpc.Status.$Properties} message Status message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Status.encode = function (message, writer, _depth) {
                if (!writer)
                    writer = $Writer.create();
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $util.recursionLimit)
                    throw $Error("max depth exceeded");
                if (message.code != null && $Object.hasOwnProperty.call(message, "code") && message.code !== 0)
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.code);
                if (message.message != null && $Object.hasOwnProperty.call(message, "message") && message.message !== "")
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.message);
                if (message.details != null && message.details.length)
                    for (let i = 0; i < message.details.length; ++i)
                        $root.google.protobuf.Any.encode(message.details[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), _depth + 1).ldelim();
                if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                    for (let i = 0; i < message.$unknowns.length; ++i)
                        writer.raw(message.$unknowns[i]);
                return writer;
            };

            /**
             * Decodes a Status message from the specified reader or buffer.
             * @function decode
             * @memberof google.rpc.Status
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {google.rpc.Status & google.rpc.Status.$Shape} Status
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Status.decode = function (reader, length, _end, _depth, _target) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (_depth === $undefined)
                    _depth = 0;
                if (_depth > $Reader.recursionLimit)
                    throw $Error("max depth exceeded");
                let end, message, value;
                if (length === $undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw $RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = _target || new $root.google.rpc.Status();
                while (reader.pos < end) {
                    let start = reader.pos;
                    let tag = reader.tag();
                    if (tag === _end) {
                        _end = $undefined;
                        break;
                    }
                    let wireType = tag & 7;
                    switch (tag >>>= 3) {
                    case 1: {
                            if (wireType !== 0)
                                break;
                            if (value = reader.int32())
                                message.code = value;
                            else
                                delete message.code;
                            continue;
                        }
                    case 2: {
                            if (wireType !== 2)
                                break;
                            if ((value = reader.stringVerify()).length)
                                message.message = value;
                            else
                                delete message.message;
                            continue;
                        }
                    case 3: {
                            if (wireType !== 2)
                                break;
                            if (!(message.details && message.details.length))
                                message.details = [];
                            message.details.push($root.google.protobuf.Any.decode(reader, reader.size(), $undefined, _depth + 1));
                            continue;
                        }
                    }
                    reader.skipType(wireType, _depth, tag);
                    if (!reader.discardUnknown) {
                        $util.makeProp(message, "$unknowns", false);
                        (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                    }
                }
                if (length !== $undefined) {
                    if (reader.pos !== end)
                        throw $RangeError("index out of range");
                    reader.len = length;
                }
                if (_end !== $undefined)
                    throw $Error("missing end group");
                return message;
            };

            return Status;
        })();

        return rpc;
    })();

    return google;
})();

export const grpc = $root.grpc = (() => {

    /**
     * Namespace grpc.
     * @exports grpc
     * @namespace
     */
    const grpc = {};

    grpc.health = (function() {

        /**
         * Namespace health.
         * @memberof grpc
         * @namespace
         */
        const health = {};

        health.v1 = (function() {

            /**
             * Namespace v1.
             * @memberof grpc.health
             * @namespace
             */
            const v1 = {};

            v1.HealthCheckRequest = (function() {

                /**
                 * Properties of a HealthCheckRequest.
                 * @typedef {Object} grpc.health.v1.HealthCheckRequest.$Properties
                 * @property {string|null} [service] HealthCheckRequest service
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of a HealthCheckRequest.
                 * @memberof grpc.health.v1
                 * @interface IHealthCheckRequest
                 * @augments grpc.health.v1.HealthCheckRequest.$Properties
                 * @deprecated Use grpc.health.v1.HealthCheckRequest.$Properties instead.
                 */

                /**
                 * Shape of a HealthCheckRequest.
                 * @typedef {grpc.health.v1.HealthCheckRequest.$Properties} grpc.health.v1.HealthCheckRequest.$Shape
                 */

                /**
                 * Constructs a new HealthCheckRequest.
                 * @memberof grpc.health.v1
                 * @classdesc Represents a HealthCheckRequest.
                 * @constructor
                 * @param {grpc.health.v1.HealthCheckRequest.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const HealthCheckRequest = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * HealthCheckRequest service.
                 * @member {string} service
                 * @memberof grpc.health.v1.HealthCheckRequest
                 * @instance
                 */
                HealthCheckRequest.prototype.service = "";

                /**
                 * Creates a new HealthCheckRequest instance using the specified properties.
                 * @function create
                 * @memberof grpc.health.v1.HealthCheckRequest
                 * @static
                 * @param {grpc.health.v1.HealthCheckRequest.$Properties=} [properties] Properties to set
                 * @returns {grpc.health.v1.HealthCheckRequest} HealthCheckRequest instance
                 * @type {{
                 *   (properties: grpc.health.v1.HealthCheckRequest.$Shape): grpc.health.v1.HealthCheckRequest & grpc.health.v1.HealthCheckRequest.$Shape;
                 *   (properties?: grpc.health.v1.HealthCheckRequest.$Properties): grpc.health.v1.HealthCheckRequest;
                 * }}
                 */
                HealthCheckRequest.create = function(properties) {
                    return new HealthCheckRequest(properties);
                };

                /**
                 * Encodes the specified HealthCheckRequest message. Does not implicitly {@link grpc.health.v1.HealthCheckRequest.verify|verify} messages.
                 * @function encode
                 * @memberof grpc.health.v1.HealthCheckRequest
                 * @static
                 * @param {grpc.health.v1.HealthCheckRequest.$Properties} message HealthCheckRequest message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                HealthCheckRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.service != null && $Object.hasOwnProperty.call(message, "service") && message.service !== "")
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.service);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes a HealthCheckRequest message from the specified reader or buffer.
                 * @function decode
                 * @memberof grpc.health.v1.HealthCheckRequest
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {grpc.health.v1.HealthCheckRequest & grpc.health.v1.HealthCheckRequest.$Shape} HealthCheckRequest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                HealthCheckRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.grpc.health.v1.HealthCheckRequest();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.service = value;
                                else
                                    delete message.service;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                return HealthCheckRequest;
            })();

            v1.HealthCheckResponse = (function() {

                /**
                 * Properties of a HealthCheckResponse.
                 * @typedef {Object} grpc.health.v1.HealthCheckResponse.$Properties
                 * @property {grpc.health.v1.HealthCheckResponse.ServingStatus|null} [status] HealthCheckResponse status
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */

                /**
                 * Properties of a HealthCheckResponse.
                 * @memberof grpc.health.v1
                 * @interface IHealthCheckResponse
                 * @augments grpc.health.v1.HealthCheckResponse.$Properties
                 * @deprecated Use grpc.health.v1.HealthCheckResponse.$Properties instead.
                 */

                /**
                 * Shape of a HealthCheckResponse.
                 * @typedef {grpc.health.v1.HealthCheckResponse.$Properties} grpc.health.v1.HealthCheckResponse.$Shape
                 */

                /**
                 * Constructs a new HealthCheckResponse.
                 * @memberof grpc.health.v1
                 * @classdesc Represents a HealthCheckResponse.
                 * @constructor
                 * @param {grpc.health.v1.HealthCheckResponse.$Properties=} [properties] Properties to set
                 * @property {Array.<Uint8Array>} [$unknowns] Unknown fields preserved while decoding when enabled
                 */
                const HealthCheckResponse = function (properties) {
                    if (properties)
                        for (let keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };

                /**
                 * HealthCheckResponse status.
                 * @member {grpc.health.v1.HealthCheckResponse.ServingStatus} status
                 * @memberof grpc.health.v1.HealthCheckResponse
                 * @instance
                 */
                HealthCheckResponse.prototype.status = 0;

                /**
                 * Creates a new HealthCheckResponse instance using the specified properties.
                 * @function create
                 * @memberof grpc.health.v1.HealthCheckResponse
                 * @static
                 * @param {grpc.health.v1.HealthCheckResponse.$Properties=} [properties] Properties to set
                 * @returns {grpc.health.v1.HealthCheckResponse} HealthCheckResponse instance
                 * @type {{
                 *   (properties: grpc.health.v1.HealthCheckResponse.$Shape): grpc.health.v1.HealthCheckResponse & grpc.health.v1.HealthCheckResponse.$Shape;
                 *   (properties?: grpc.health.v1.HealthCheckResponse.$Properties): grpc.health.v1.HealthCheckResponse;
                 * }}
                 */
                HealthCheckResponse.create = function(properties) {
                    return new HealthCheckResponse(properties);
                };

                /**
                 * Encodes the specified HealthCheckResponse message. Does not implicitly {@link grpc.health.v1.HealthCheckResponse.verify|verify} messages.
                 * @function encode
                 * @memberof grpc.health.v1.HealthCheckResponse
                 * @static
                 * @param {grpc.health.v1.HealthCheckResponse.$Properties} message HealthCheckResponse message or plain object to encode
                 * @param {$protobuf.Writer} [writer] Writer to encode to
                 * @returns {$protobuf.Writer} Writer
                 */
                HealthCheckResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.status != null && $Object.hasOwnProperty.call(message, "status") && message.status !== 0)
                        writer.uint32(/* id 1, wireType 0 =*/8).int32(message.status);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (let i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };

                /**
                 * Decodes a HealthCheckResponse message from the specified reader or buffer.
                 * @function decode
                 * @memberof grpc.health.v1.HealthCheckResponse
                 * @static
                 * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
                 * @param {number} [length] Message length if known beforehand
                 * @returns {grpc.health.v1.HealthCheckResponse & grpc.health.v1.HealthCheckResponse.$Shape} HealthCheckResponse
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                HealthCheckResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    let end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.grpc.health.v1.HealthCheckResponse();
                    while (reader.pos < end) {
                        let start = reader.pos;
                        let tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        let wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.status = value;
                                else
                                    delete message.status;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };

                /**
                 * ServingStatus enum.
                 * @name grpc.health.v1.HealthCheckResponse.ServingStatus
                 * @enum {number}
                 * @property {number} UNKNOWN=0 UNKNOWN value
                 * @property {number} SERVING=1 SERVING value
                 * @property {number} NOT_SERVING=2 NOT_SERVING value
                 * @property {number} SERVICE_UNKNOWN=3 SERVICE_UNKNOWN value
                 */
                HealthCheckResponse.ServingStatus = (function() {
                    const valuesById = $Object.create(null), values = $Object.create(valuesById);
                    values[valuesById[0] = "UNKNOWN"] = 0;
                    values[valuesById[1] = "SERVING"] = 1;
                    values[valuesById[2] = "NOT_SERVING"] = 2;
                    values[valuesById[3] = "SERVICE_UNKNOWN"] = 3;
                    return values;
                })();

                return HealthCheckResponse;
            })();

            return v1;
        })();

        return health;
    })();

    return grpc;
})();

export {
  $root as default
};
