import * as $protobuf from "protobufjs/minimal.js";
import Long = require("long");

/** Namespace istio. */
export namespace istio {

    /** Namespace v1. */
    namespace v1 {

        /** Namespace auth. */
        namespace auth {

            /**
             * Properties of an IstioCertificateRequest.
             * @deprecated Use istio.v1.auth.IstioCertificateRequest.$Properties instead.
             */
            interface IIstioCertificateRequest extends istio.v1.auth.IstioCertificateRequest.$Properties {
            }

            /** Represents an IstioCertificateRequest. */
            class IstioCertificateRequest {

                /**
                 * Constructs a new IstioCertificateRequest.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: istio.v1.auth.IstioCertificateRequest.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** IstioCertificateRequest csr. */
                csr: string;

                /** IstioCertificateRequest validity_duration. */
                validity_duration: (number|Long);

                /** IstioCertificateRequest metadata. */
                metadata?: (google.protobuf.Struct.$Properties|null);

                /**
                 * Creates a new IstioCertificateRequest instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns IstioCertificateRequest instance
                 */
                static create(properties: istio.v1.auth.IstioCertificateRequest.$Shape): istio.v1.auth.IstioCertificateRequest & istio.v1.auth.IstioCertificateRequest.$Shape;
                static create(properties?: istio.v1.auth.IstioCertificateRequest.$Properties): istio.v1.auth.IstioCertificateRequest;

                /**
                 * Encodes the specified IstioCertificateRequest message. Does not implicitly {@link istio.v1.auth.IstioCertificateRequest.verify|verify} messages.
                 * @param message IstioCertificateRequest message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: istio.v1.auth.IstioCertificateRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an IstioCertificateRequest message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {istio.v1.auth.IstioCertificateRequest & istio.v1.auth.IstioCertificateRequest.$Shape} IstioCertificateRequest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): istio.v1.auth.IstioCertificateRequest & istio.v1.auth.IstioCertificateRequest.$Shape;
            }

            namespace IstioCertificateRequest {

                /** Properties of an IstioCertificateRequest. */
                interface $Properties {

                    /** IstioCertificateRequest csr */
                    csr?: (string|null);

                    /** IstioCertificateRequest validity_duration */
                    validity_duration?: (number|Long|null);

                    /** IstioCertificateRequest metadata */
                    metadata?: (google.protobuf.Struct.$Properties|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an IstioCertificateRequest. */
                type $Shape = {
                  csr?: string|null;
                  validity_duration?: number|Long|null;
                  metadata?: google.protobuf.Struct.$Shape|null;
                  $unknowns?: Uint8Array[];
                };
            }

            /**
             * Properties of an IstioCertificateResponse.
             * @deprecated Use istio.v1.auth.IstioCertificateResponse.$Properties instead.
             */
            interface IIstioCertificateResponse extends istio.v1.auth.IstioCertificateResponse.$Properties {
            }

            /** Represents an IstioCertificateResponse. */
            class IstioCertificateResponse {

                /**
                 * Constructs a new IstioCertificateResponse.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: istio.v1.auth.IstioCertificateResponse.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** IstioCertificateResponse cert_chain. */
                cert_chain: string[];

                /**
                 * Creates a new IstioCertificateResponse instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns IstioCertificateResponse instance
                 */
                static create(properties: istio.v1.auth.IstioCertificateResponse.$Shape): istio.v1.auth.IstioCertificateResponse & istio.v1.auth.IstioCertificateResponse.$Shape;
                static create(properties?: istio.v1.auth.IstioCertificateResponse.$Properties): istio.v1.auth.IstioCertificateResponse;

                /**
                 * Encodes the specified IstioCertificateResponse message. Does not implicitly {@link istio.v1.auth.IstioCertificateResponse.verify|verify} messages.
                 * @param message IstioCertificateResponse message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: istio.v1.auth.IstioCertificateResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes an IstioCertificateResponse message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {istio.v1.auth.IstioCertificateResponse & istio.v1.auth.IstioCertificateResponse.$Shape} IstioCertificateResponse
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): istio.v1.auth.IstioCertificateResponse & istio.v1.auth.IstioCertificateResponse.$Shape;
            }

            namespace IstioCertificateResponse {

                /** Properties of an IstioCertificateResponse. */
                interface $Properties {

                    /** IstioCertificateResponse cert_chain */
                    cert_chain?: (string[]|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of an IstioCertificateResponse. */
                type $Shape = istio.v1.auth.IstioCertificateResponse.$Properties;
            }
        }
    }

    /** Namespace networking. */
    namespace networking {

        /** Namespace nds. */
        namespace nds {

            /** Namespace v1. */
            namespace v1 {

                /**
                 * Properties of a NameTable.
                 * @deprecated Use istio.networking.nds.v1.NameTable.$Properties instead.
                 */
                interface INameTable extends istio.networking.nds.v1.NameTable.$Properties {
                }

                /** Represents a NameTable. */
                class NameTable {

                    /**
                     * Constructs a new NameTable.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: istio.networking.nds.v1.NameTable.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** NameTable table. */
                    table: { [k: string]: istio.networking.nds.v1.NameTable.NameInfo.$Properties };

                    /**
                     * Creates a new NameTable instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns NameTable instance
                     */
                    static create(properties: istio.networking.nds.v1.NameTable.$Shape): istio.networking.nds.v1.NameTable & istio.networking.nds.v1.NameTable.$Shape;
                    static create(properties?: istio.networking.nds.v1.NameTable.$Properties): istio.networking.nds.v1.NameTable;

                    /**
                     * Encodes the specified NameTable message. Does not implicitly {@link istio.networking.nds.v1.NameTable.verify|verify} messages.
                     * @param message NameTable message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: istio.networking.nds.v1.NameTable.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a NameTable message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {istio.networking.nds.v1.NameTable & istio.networking.nds.v1.NameTable.$Shape} NameTable
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): istio.networking.nds.v1.NameTable & istio.networking.nds.v1.NameTable.$Shape;
                }

                namespace NameTable {

                    /** Properties of a NameTable. */
                    interface $Properties {

                        /** NameTable table */
                        table?: ({ [k: string]: istio.networking.nds.v1.NameTable.NameInfo.$Properties }|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a NameTable. */
                    type $Shape = istio.networking.nds.v1.NameTable.$Properties;

                    /**
                     * Properties of a NameInfo.
                     * @deprecated Use istio.networking.nds.v1.NameTable.NameInfo.$Properties instead.
                     */
                    interface INameInfo extends istio.networking.nds.v1.NameTable.NameInfo.$Properties {
                    }

                    /** Represents a NameInfo. */
                    class NameInfo {

                        /**
                         * Constructs a new NameInfo.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: istio.networking.nds.v1.NameTable.NameInfo.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** NameInfo ips. */
                        ips: string[];

                        /** NameInfo registry. */
                        registry: string;

                        /** NameInfo shortname. */
                        shortname: string;

                        /** NameInfo namespace. */
                        namespace: string;

                        /** NameInfo alt_hosts. */
                        alt_hosts: string[];

                        /**
                         * Creates a new NameInfo instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns NameInfo instance
                         */
                        static create(properties: istio.networking.nds.v1.NameTable.NameInfo.$Shape): istio.networking.nds.v1.NameTable.NameInfo & istio.networking.nds.v1.NameTable.NameInfo.$Shape;
                        static create(properties?: istio.networking.nds.v1.NameTable.NameInfo.$Properties): istio.networking.nds.v1.NameTable.NameInfo;

                        /**
                         * Encodes the specified NameInfo message. Does not implicitly {@link istio.networking.nds.v1.NameTable.NameInfo.verify|verify} messages.
                         * @param message NameInfo message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: istio.networking.nds.v1.NameTable.NameInfo.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a NameInfo message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {istio.networking.nds.v1.NameTable.NameInfo & istio.networking.nds.v1.NameTable.NameInfo.$Shape} NameInfo
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): istio.networking.nds.v1.NameTable.NameInfo & istio.networking.nds.v1.NameTable.NameInfo.$Shape;
                    }

                    namespace NameInfo {

                        /** Properties of a NameInfo. */
                        interface $Properties {

                            /** NameInfo ips */
                            ips?: (string[]|null);

                            /** NameInfo registry */
                            registry?: (string|null);

                            /** NameInfo shortname */
                            shortname?: (string|null);

                            /** NameInfo namespace */
                            namespace?: (string|null);

                            /** NameInfo alt_hosts */
                            alt_hosts?: (string[]|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a NameInfo. */
                        type $Shape = istio.networking.nds.v1.NameTable.NameInfo.$Properties;
                    }
                }
            }
        }
    }
}

/** Namespace envoy. */
export namespace envoy {

    /** Namespace service. */
    namespace service {

        /** Namespace discovery. */
        namespace discovery {

            /** Namespace v3. */
            namespace v3 {

                /**
                 * Properties of a DiscoveryRequest.
                 * @deprecated Use envoy.service.discovery.v3.DiscoveryRequest.$Properties instead.
                 */
                interface IDiscoveryRequest extends envoy.service.discovery.v3.DiscoveryRequest.$Properties {
                }

                /** Represents a DiscoveryRequest. */
                class DiscoveryRequest {

                    /**
                     * Constructs a new DiscoveryRequest.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: envoy.service.discovery.v3.DiscoveryRequest.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** DiscoveryRequest version_info. */
                    version_info: string;

                    /** DiscoveryRequest node. */
                    node?: (envoy.config.core.v3.Node.$Properties|null);

                    /** DiscoveryRequest resource_names. */
                    resource_names: string[];

                    /** DiscoveryRequest type_url. */
                    type_url: string;

                    /** DiscoveryRequest response_nonce. */
                    response_nonce: string;

                    /** DiscoveryRequest error_detail. */
                    error_detail?: (google.rpc.Status.$Properties|null);

                    /**
                     * Creates a new DiscoveryRequest instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns DiscoveryRequest instance
                     */
                    static create(properties: envoy.service.discovery.v3.DiscoveryRequest.$Shape): envoy.service.discovery.v3.DiscoveryRequest & envoy.service.discovery.v3.DiscoveryRequest.$Shape;
                    static create(properties?: envoy.service.discovery.v3.DiscoveryRequest.$Properties): envoy.service.discovery.v3.DiscoveryRequest;

                    /**
                     * Encodes the specified DiscoveryRequest message. Does not implicitly {@link envoy.service.discovery.v3.DiscoveryRequest.verify|verify} messages.
                     * @param message DiscoveryRequest message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: envoy.service.discovery.v3.DiscoveryRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a DiscoveryRequest message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {envoy.service.discovery.v3.DiscoveryRequest & envoy.service.discovery.v3.DiscoveryRequest.$Shape} DiscoveryRequest
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.service.discovery.v3.DiscoveryRequest & envoy.service.discovery.v3.DiscoveryRequest.$Shape;
                }

                namespace DiscoveryRequest {

                    /** Properties of a DiscoveryRequest. */
                    interface $Properties {

                        /** DiscoveryRequest version_info */
                        version_info?: (string|null);

                        /** DiscoveryRequest node */
                        node?: (envoy.config.core.v3.Node.$Properties|null);

                        /** DiscoveryRequest resource_names */
                        resource_names?: (string[]|null);

                        /** DiscoveryRequest type_url */
                        type_url?: (string|null);

                        /** DiscoveryRequest response_nonce */
                        response_nonce?: (string|null);

                        /** DiscoveryRequest error_detail */
                        error_detail?: (google.rpc.Status.$Properties|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a DiscoveryRequest. */
                    type $Shape = {
                      version_info?: string|null;
                      node?: envoy.config.core.v3.Node.$Shape|null;
                      resource_names?: string[]|null;
                      type_url?: string|null;
                      response_nonce?: string|null;
                      error_detail?: google.rpc.Status.$Shape|null;
                      $unknowns?: Uint8Array[];
                    };
                }

                /**
                 * Properties of a DiscoveryResponse.
                 * @deprecated Use envoy.service.discovery.v3.DiscoveryResponse.$Properties instead.
                 */
                interface IDiscoveryResponse extends envoy.service.discovery.v3.DiscoveryResponse.$Properties {
                }

                /** Represents a DiscoveryResponse. */
                class DiscoveryResponse {

                    /**
                     * Constructs a new DiscoveryResponse.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: envoy.service.discovery.v3.DiscoveryResponse.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** DiscoveryResponse version_info. */
                    version_info: string;

                    /** DiscoveryResponse resources. */
                    resources: google.protobuf.Any.$Properties[];

                    /** DiscoveryResponse canary. */
                    canary: boolean;

                    /** DiscoveryResponse type_url. */
                    type_url: string;

                    /** DiscoveryResponse nonce. */
                    nonce: string;

                    /**
                     * Creates a new DiscoveryResponse instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns DiscoveryResponse instance
                     */
                    static create(properties: envoy.service.discovery.v3.DiscoveryResponse.$Shape): envoy.service.discovery.v3.DiscoveryResponse & envoy.service.discovery.v3.DiscoveryResponse.$Shape;
                    static create(properties?: envoy.service.discovery.v3.DiscoveryResponse.$Properties): envoy.service.discovery.v3.DiscoveryResponse;

                    /**
                     * Encodes the specified DiscoveryResponse message. Does not implicitly {@link envoy.service.discovery.v3.DiscoveryResponse.verify|verify} messages.
                     * @param message DiscoveryResponse message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: envoy.service.discovery.v3.DiscoveryResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a DiscoveryResponse message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {envoy.service.discovery.v3.DiscoveryResponse & envoy.service.discovery.v3.DiscoveryResponse.$Shape} DiscoveryResponse
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.service.discovery.v3.DiscoveryResponse & envoy.service.discovery.v3.DiscoveryResponse.$Shape;
                }

                namespace DiscoveryResponse {

                    /** Properties of a DiscoveryResponse. */
                    interface $Properties {

                        /** DiscoveryResponse version_info */
                        version_info?: (string|null);

                        /** DiscoveryResponse resources */
                        resources?: (google.protobuf.Any.$Properties[]|null);

                        /** DiscoveryResponse canary */
                        canary?: (boolean|null);

                        /** DiscoveryResponse type_url */
                        type_url?: (string|null);

                        /** DiscoveryResponse nonce */
                        nonce?: (string|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a DiscoveryResponse. */
                    type $Shape = envoy.service.discovery.v3.DiscoveryResponse.$Properties;
                }
            }
        }
    }

    /** Namespace config. */
    namespace config {

        /** Namespace core. */
        namespace core {

            /** Namespace v3. */
            namespace v3 {

                /**
                 * Properties of a Node.
                 * @deprecated Use envoy.config.core.v3.Node.$Properties instead.
                 */
                interface INode extends envoy.config.core.v3.Node.$Properties {
                }

                /** Represents a Node. */
                class Node {

                    /**
                     * Constructs a new Node.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: envoy.config.core.v3.Node.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** Node id. */
                    id: string;

                    /** Node cluster. */
                    cluster: string;

                    /** Node metadata. */
                    metadata?: (google.protobuf.Struct.$Properties|null);

                    /**
                     * Creates a new Node instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns Node instance
                     */
                    static create(properties: envoy.config.core.v3.Node.$Shape): envoy.config.core.v3.Node & envoy.config.core.v3.Node.$Shape;
                    static create(properties?: envoy.config.core.v3.Node.$Properties): envoy.config.core.v3.Node;

                    /**
                     * Encodes the specified Node message. Does not implicitly {@link envoy.config.core.v3.Node.verify|verify} messages.
                     * @param message Node message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: envoy.config.core.v3.Node.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a Node message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {envoy.config.core.v3.Node & envoy.config.core.v3.Node.$Shape} Node
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.config.core.v3.Node & envoy.config.core.v3.Node.$Shape;
                }

                namespace Node {

                    /** Properties of a Node. */
                    interface $Properties {

                        /** Node id */
                        id?: (string|null);

                        /** Node cluster */
                        cluster?: (string|null);

                        /** Node metadata */
                        metadata?: (google.protobuf.Struct.$Properties|null);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Shape of a Node. */
                    type $Shape = {
                      id?: string|null;
                      cluster?: string|null;
                      metadata?: google.protobuf.Struct.$Shape|null;
                      $unknowns?: Uint8Array[];
                    };
                }

                /**
                 * Properties of a DataSource.
                 * @deprecated Use envoy.config.core.v3.DataSource.$Properties instead.
                 */
                interface IDataSource extends envoy.config.core.v3.DataSource.$Properties {
                }

                /** Represents a DataSource. */
                class DataSource {

                    /**
                     * Constructs a new DataSource.
                     * @param [properties] Properties to set
                     */
                    constructor(properties?: envoy.config.core.v3.DataSource.$Properties);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];

                    /** DataSource filename. */
                    filename?: (string|null);

                    /** DataSource inline_bytes. */
                    inline_bytes?: (Uint8Array|null);

                    /** DataSource inline_string. */
                    inline_string?: (string|null);

                    /** DataSource environment_variable. */
                    environment_variable?: (string|null);

                    /** DataSource specifier. */
                    specifier?: ("filename"|"inline_bytes"|"inline_string"|"environment_variable");

                    /**
                     * Creates a new DataSource instance using the specified properties.
                     * @param [properties] Properties to set
                     * @returns DataSource instance
                     */
                    static create(properties: envoy.config.core.v3.DataSource.$Shape): envoy.config.core.v3.DataSource & envoy.config.core.v3.DataSource.$Shape;
                    static create(properties?: envoy.config.core.v3.DataSource.$Properties): envoy.config.core.v3.DataSource;

                    /**
                     * Encodes the specified DataSource message. Does not implicitly {@link envoy.config.core.v3.DataSource.verify|verify} messages.
                     * @param message DataSource message or plain object to encode
                     * @param [writer] Writer to encode to
                     * @returns Writer
                     */
                    static encode(message: envoy.config.core.v3.DataSource.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                    /**
                     * Decodes a DataSource message from the specified reader or buffer.
                     * @param reader Reader or buffer to decode from
                     * @param [length] Message length if known beforehand
                     * @returns {envoy.config.core.v3.DataSource & envoy.config.core.v3.DataSource.$Shape} DataSource
                     * @throws {Error} If the payload is not a reader or valid buffer
                     * @throws {$protobuf.util.ProtocolError} If required fields are missing
                     */
                    static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.config.core.v3.DataSource & envoy.config.core.v3.DataSource.$Shape;
                }

                namespace DataSource {

                    /** Properties of a DataSource. */
                    interface $Properties {

                        /** DataSource filename */
                        filename?: (string|null);

                        /** DataSource inline_bytes */
                        inline_bytes?: (Uint8Array|null);

                        /** DataSource inline_string */
                        inline_string?: (string|null);

                        /** DataSource environment_variable */
                        environment_variable?: (string|null);

                        /** DataSource specifier */
                        specifier?: ("filename"|"inline_bytes"|"inline_string"|"environment_variable");

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];
                    }

                    /** Narrowed shape of a DataSource. */
                    type $Shape = {
                      filename?: string|null;
                      inline_bytes?: Uint8Array|null;
                      inline_string?: string|null;
                      environment_variable?: string|null;
                      $unknowns?: Uint8Array[];
                    } & (
                      ({ specifier?: undefined; filename?: null; inline_bytes?: null; inline_string?: null; environment_variable?: null }|{ specifier?: "filename"; filename: string; inline_bytes?: null; inline_string?: null; environment_variable?: null }|{ specifier?: "inline_bytes"; filename?: null; inline_bytes: Uint8Array; inline_string?: null; environment_variable?: null }|{ specifier?: "inline_string"; filename?: null; inline_bytes?: null; inline_string: string; environment_variable?: null }|{ specifier?: "environment_variable"; filename?: null; inline_bytes?: null; inline_string?: null; environment_variable: string })
                    );
                }
            }
        }
    }

    /** Namespace extensions. */
    namespace extensions {

        /** Namespace transport_sockets. */
        namespace transport_sockets {

            /** Namespace tls. */
            namespace tls {

                /** Namespace v3. */
                namespace v3 {

                    /**
                     * Properties of a TlsCertificate.
                     * @deprecated Use envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties instead.
                     */
                    interface ITlsCertificate extends envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties {
                    }

                    /** Represents a TlsCertificate. */
                    class TlsCertificate {

                        /**
                         * Constructs a new TlsCertificate.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** TlsCertificate certificate_chain. */
                        certificate_chain?: (envoy.config.core.v3.DataSource.$Properties|null);

                        /** TlsCertificate private_key. */
                        private_key?: (envoy.config.core.v3.DataSource.$Properties|null);

                        /**
                         * Creates a new TlsCertificate instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns TlsCertificate instance
                         */
                        static create(properties: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape): envoy.extensions.transport_sockets.tls.v3.TlsCertificate & envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape;
                        static create(properties?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties): envoy.extensions.transport_sockets.tls.v3.TlsCertificate;

                        /**
                         * Encodes the specified TlsCertificate message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.TlsCertificate.verify|verify} messages.
                         * @param message TlsCertificate message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a TlsCertificate message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.TlsCertificate & envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape} TlsCertificate
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.extensions.transport_sockets.tls.v3.TlsCertificate & envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape;
                    }

                    namespace TlsCertificate {

                        /** Properties of a TlsCertificate. */
                        interface $Properties {

                            /** TlsCertificate certificate_chain */
                            certificate_chain?: (envoy.config.core.v3.DataSource.$Properties|null);

                            /** TlsCertificate private_key */
                            private_key?: (envoy.config.core.v3.DataSource.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a TlsCertificate. */
                        type $Shape = {
                          certificate_chain?: envoy.config.core.v3.DataSource.$Shape|null;
                          private_key?: envoy.config.core.v3.DataSource.$Shape|null;
                          $unknowns?: Uint8Array[];
                        };
                    }

                    /**
                     * Properties of a CertificateValidationContext.
                     * @deprecated Use envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties instead.
                     */
                    interface ICertificateValidationContext extends envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties {
                    }

                    /** Represents a CertificateValidationContext. */
                    class CertificateValidationContext {

                        /**
                         * Constructs a new CertificateValidationContext.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** CertificateValidationContext trusted_ca. */
                        trusted_ca?: (envoy.config.core.v3.DataSource.$Properties|null);

                        /**
                         * Creates a new CertificateValidationContext instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns CertificateValidationContext instance
                         */
                        static create(properties: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape): envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext & envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape;
                        static create(properties?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties): envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;

                        /**
                         * Encodes the specified CertificateValidationContext message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.verify|verify} messages.
                         * @param message CertificateValidationContext message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a CertificateValidationContext message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext & envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape} CertificateValidationContext
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext & envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape;
                    }

                    namespace CertificateValidationContext {

                        /** Properties of a CertificateValidationContext. */
                        interface $Properties {

                            /** CertificateValidationContext trusted_ca */
                            trusted_ca?: (envoy.config.core.v3.DataSource.$Properties|null);

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Shape of a CertificateValidationContext. */
                        type $Shape = {
                          trusted_ca?: envoy.config.core.v3.DataSource.$Shape|null;
                          $unknowns?: Uint8Array[];
                        };
                    }

                    /**
                     * Properties of a Secret.
                     * @deprecated Use envoy.extensions.transport_sockets.tls.v3.Secret.$Properties instead.
                     */
                    interface ISecret extends envoy.extensions.transport_sockets.tls.v3.Secret.$Properties {
                    }

                    /** Represents a Secret. */
                    class Secret {

                        /**
                         * Constructs a new Secret.
                         * @param [properties] Properties to set
                         */
                        constructor(properties?: envoy.extensions.transport_sockets.tls.v3.Secret.$Properties);

                        /** Unknown fields preserved while decoding when enabled */
                        $unknowns?: Uint8Array[];

                        /** Secret name. */
                        name: string;

                        /** Secret tls_certificate. */
                        tls_certificate?: (envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties|null);

                        /** Secret validation_context. */
                        validation_context?: (envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties|null);

                        /** Secret type. */
                        type?: ("tls_certificate"|"validation_context");

                        /**
                         * Creates a new Secret instance using the specified properties.
                         * @param [properties] Properties to set
                         * @returns Secret instance
                         */
                        static create(properties: envoy.extensions.transport_sockets.tls.v3.Secret.$Shape): envoy.extensions.transport_sockets.tls.v3.Secret & envoy.extensions.transport_sockets.tls.v3.Secret.$Shape;
                        static create(properties?: envoy.extensions.transport_sockets.tls.v3.Secret.$Properties): envoy.extensions.transport_sockets.tls.v3.Secret;

                        /**
                         * Encodes the specified Secret message. Does not implicitly {@link envoy.extensions.transport_sockets.tls.v3.Secret.verify|verify} messages.
                         * @param message Secret message or plain object to encode
                         * @param [writer] Writer to encode to
                         * @returns Writer
                         */
                        static encode(message: envoy.extensions.transport_sockets.tls.v3.Secret.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                        /**
                         * Decodes a Secret message from the specified reader or buffer.
                         * @param reader Reader or buffer to decode from
                         * @param [length] Message length if known beforehand
                         * @returns {envoy.extensions.transport_sockets.tls.v3.Secret & envoy.extensions.transport_sockets.tls.v3.Secret.$Shape} Secret
                         * @throws {Error} If the payload is not a reader or valid buffer
                         * @throws {$protobuf.util.ProtocolError} If required fields are missing
                         */
                        static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): envoy.extensions.transport_sockets.tls.v3.Secret & envoy.extensions.transport_sockets.tls.v3.Secret.$Shape;
                    }

                    namespace Secret {

                        /** Properties of a Secret. */
                        interface $Properties {

                            /** Secret name */
                            name?: (string|null);

                            /** Secret tls_certificate */
                            tls_certificate?: (envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Properties|null);

                            /** Secret validation_context */
                            validation_context?: (envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Properties|null);

                            /** Secret type */
                            type?: ("tls_certificate"|"validation_context");

                            /** Unknown fields preserved while decoding when enabled */
                            $unknowns?: Uint8Array[];
                        }

                        /** Narrowed shape of a Secret. */
                        type $Shape = {
                          name?: string|null;
                          tls_certificate?: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape|null;
                          validation_context?: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape|null;
                          $unknowns?: Uint8Array[];
                        } & (
                          ({ type?: undefined; tls_certificate?: null; validation_context?: null }|{ type?: "tls_certificate"; tls_certificate: envoy.extensions.transport_sockets.tls.v3.TlsCertificate.$Shape; validation_context?: null }|{ type?: "validation_context"; tls_certificate?: null; validation_context: envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext.$Shape })
                        );
                    }
                }
            }
        }
    }
}

/** Namespace google. */
export namespace google {

    /** Namespace protobuf. */
    namespace protobuf {

        /**
         * Properties of a Struct.
         * @deprecated Use google.protobuf.Struct.$Properties instead.
         */
        interface IStruct extends google.protobuf.Struct.$Properties {
        }

        /** Represents a Struct. */
        class Struct {

            /**
             * Constructs a new Struct.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.Struct.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Struct fields. */
            fields: { [k: string]: google.protobuf.Value.$Properties };

            /**
             * Creates a new Struct instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Struct instance
             */
            static create(properties: google.protobuf.Struct.$Shape): google.protobuf.Struct & google.protobuf.Struct.$Shape;
            static create(properties?: google.protobuf.Struct.$Properties): google.protobuf.Struct;

            /**
             * Encodes the specified Struct message. Does not implicitly {@link google.protobuf.Struct.verify|verify} messages.
             * @param message Struct message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.Struct.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Struct message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.Struct & google.protobuf.Struct.$Shape} Struct
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Struct & google.protobuf.Struct.$Shape;
        }

        namespace Struct {

            /** Properties of a Struct. */
            interface $Properties {

                /** Struct fields */
                fields?: ({ [k: string]: google.protobuf.Value.$Properties }|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Struct. */
            type $Shape = {
              fields?: { [k: string]: google.protobuf.Value.$Shape }|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of a Value.
         * @deprecated Use google.protobuf.Value.$Properties instead.
         */
        interface IValue extends google.protobuf.Value.$Properties {
        }

        /** Represents a Value. */
        class Value {

            /**
             * Constructs a new Value.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.Value.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Value nullValue. */
            nullValue?: (google.protobuf.NullValue|null);

            /** Value numberValue. */
            numberValue?: (number|null);

            /** Value stringValue. */
            stringValue?: (string|null);

            /** Value boolValue. */
            boolValue?: (boolean|null);

            /** Value structValue. */
            structValue?: (google.protobuf.Struct.$Properties|null);

            /** Value listValue. */
            listValue?: (google.protobuf.ListValue.$Properties|null);

            /** Value kind. */
            kind?: ("nullValue"|"numberValue"|"stringValue"|"boolValue"|"structValue"|"listValue");

            /**
             * Creates a new Value instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Value instance
             */
            static create(properties: google.protobuf.Value.$Shape): google.protobuf.Value & google.protobuf.Value.$Shape;
            static create(properties?: google.protobuf.Value.$Properties): google.protobuf.Value;

            /**
             * Encodes the specified Value message. Does not implicitly {@link google.protobuf.Value.verify|verify} messages.
             * @param message Value message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.Value.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Value message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.Value & google.protobuf.Value.$Shape} Value
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Value & google.protobuf.Value.$Shape;
        }

        namespace Value {

            /** Properties of a Value. */
            interface $Properties {

                /** Value nullValue */
                nullValue?: (google.protobuf.NullValue|null);

                /** Value numberValue */
                numberValue?: (number|null);

                /** Value stringValue */
                stringValue?: (string|null);

                /** Value boolValue */
                boolValue?: (boolean|null);

                /** Value structValue */
                structValue?: (google.protobuf.Struct.$Properties|null);

                /** Value listValue */
                listValue?: (google.protobuf.ListValue.$Properties|null);

                /** Value kind */
                kind?: ("nullValue"|"numberValue"|"stringValue"|"boolValue"|"structValue"|"listValue");

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Narrowed shape of a Value. */
            type $Shape = {
              nullValue?: google.protobuf.NullValue|null;
              numberValue?: number|null;
              stringValue?: string|null;
              boolValue?: boolean|null;
              structValue?: google.protobuf.Struct.$Shape|null;
              listValue?: google.protobuf.ListValue.$Shape|null;
              $unknowns?: Uint8Array[];
            } & (
              ({ kind?: undefined; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "nullValue"; nullValue: google.protobuf.NullValue; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "numberValue"; nullValue?: null; numberValue: number; stringValue?: null; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "stringValue"; nullValue?: null; numberValue?: null; stringValue: string; boolValue?: null; structValue?: null; listValue?: null }|{ kind?: "boolValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue: boolean; structValue?: null; listValue?: null }|{ kind?: "structValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue: google.protobuf.Struct.$Shape; listValue?: null }|{ kind?: "listValue"; nullValue?: null; numberValue?: null; stringValue?: null; boolValue?: null; structValue?: null; listValue: google.protobuf.ListValue.$Shape })
            );
        }

        /** NullValue enum. */
        enum NullValue {

            /** NULL_VALUE value */
            NULL_VALUE = 0
        }

        /**
         * Properties of a ListValue.
         * @deprecated Use google.protobuf.ListValue.$Properties instead.
         */
        interface IListValue extends google.protobuf.ListValue.$Properties {
        }

        /** Represents a ListValue. */
        class ListValue {

            /**
             * Constructs a new ListValue.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.ListValue.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** ListValue values. */
            values: google.protobuf.Value.$Properties[];

            /**
             * Creates a new ListValue instance using the specified properties.
             * @param [properties] Properties to set
             * @returns ListValue instance
             */
            static create(properties: google.protobuf.ListValue.$Shape): google.protobuf.ListValue & google.protobuf.ListValue.$Shape;
            static create(properties?: google.protobuf.ListValue.$Properties): google.protobuf.ListValue;

            /**
             * Encodes the specified ListValue message. Does not implicitly {@link google.protobuf.ListValue.verify|verify} messages.
             * @param message ListValue message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.ListValue.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a ListValue message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.ListValue & google.protobuf.ListValue.$Shape} ListValue
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.ListValue & google.protobuf.ListValue.$Shape;
        }

        namespace ListValue {

            /** Properties of a ListValue. */
            interface $Properties {

                /** ListValue values */
                values?: (google.protobuf.Value.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a ListValue. */
            type $Shape = {
              values?: google.protobuf.Value.$Shape[]|null;
              $unknowns?: Uint8Array[];
            };
        }

        /**
         * Properties of an Any.
         * @deprecated Use google.protobuf.Any.$Properties instead.
         */
        interface IAny extends google.protobuf.Any.$Properties {
        }

        /** Represents an Any. */
        class Any {

            /**
             * Constructs a new Any.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.protobuf.Any.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Any type_url. */
            type_url: string;

            /** Any value. */
            value: Uint8Array;

            /**
             * Creates a new Any instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Any instance
             */
            static create(properties: google.protobuf.Any.$Shape): google.protobuf.Any & google.protobuf.Any.$Shape;
            static create(properties?: google.protobuf.Any.$Properties): google.protobuf.Any;

            /**
             * Encodes the specified Any message. Does not implicitly {@link google.protobuf.Any.verify|verify} messages.
             * @param message Any message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.protobuf.Any.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes an Any message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.protobuf.Any & google.protobuf.Any.$Shape} Any
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.protobuf.Any & google.protobuf.Any.$Shape;
        }

        namespace Any {

            /** Properties of an Any. */
            interface $Properties {

                /** Any type_url */
                type_url?: (string|null);

                /** Any value */
                value?: (Uint8Array|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of an Any. */
            type $Shape = google.protobuf.Any.$Properties;
        }
    }

    /** Namespace rpc. */
    namespace rpc {

        /**
         * Properties of a Status.
         * @deprecated Use google.rpc.Status.$Properties instead.
         */
        interface IStatus extends google.rpc.Status.$Properties {
        }

        /** Represents a Status. */
        class Status {

            /**
             * Constructs a new Status.
             * @param [properties] Properties to set
             */
            constructor(properties?: google.rpc.Status.$Properties);

            /** Unknown fields preserved while decoding when enabled */
            $unknowns?: Uint8Array[];

            /** Status code. */
            code: number;

            /** Status message. */
            message: string;

            /** Status details. */
            details: google.protobuf.Any.$Properties[];

            /**
             * Creates a new Status instance using the specified properties.
             * @param [properties] Properties to set
             * @returns Status instance
             */
            static create(properties: google.rpc.Status.$Shape): google.rpc.Status & google.rpc.Status.$Shape;
            static create(properties?: google.rpc.Status.$Properties): google.rpc.Status;

            /**
             * Encodes the specified Status message. Does not implicitly {@link google.rpc.Status.verify|verify} messages.
             * @param message Status message or plain object to encode
             * @param [writer] Writer to encode to
             * @returns Writer
             */
            static encode(message: google.rpc.Status.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

            /**
             * Decodes a Status message from the specified reader or buffer.
             * @param reader Reader or buffer to decode from
             * @param [length] Message length if known beforehand
             * @returns {google.rpc.Status & google.rpc.Status.$Shape} Status
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): google.rpc.Status & google.rpc.Status.$Shape;
        }

        namespace Status {

            /** Properties of a Status. */
            interface $Properties {

                /** Status code */
                code?: (number|null);

                /** Status message */
                message?: (string|null);

                /** Status details */
                details?: (google.protobuf.Any.$Properties[]|null);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];
            }

            /** Shape of a Status. */
            type $Shape = google.rpc.Status.$Properties;
        }
    }
}

/** Namespace grpc. */
export namespace grpc {

    /** Namespace health. */
    namespace health {

        /** Namespace v1. */
        namespace v1 {

            /**
             * Properties of a HealthCheckRequest.
             * @deprecated Use grpc.health.v1.HealthCheckRequest.$Properties instead.
             */
            interface IHealthCheckRequest extends grpc.health.v1.HealthCheckRequest.$Properties {
            }

            /** Represents a HealthCheckRequest. */
            class HealthCheckRequest {

                /**
                 * Constructs a new HealthCheckRequest.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: grpc.health.v1.HealthCheckRequest.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** HealthCheckRequest service. */
                service: string;

                /**
                 * Creates a new HealthCheckRequest instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns HealthCheckRequest instance
                 */
                static create(properties: grpc.health.v1.HealthCheckRequest.$Shape): grpc.health.v1.HealthCheckRequest & grpc.health.v1.HealthCheckRequest.$Shape;
                static create(properties?: grpc.health.v1.HealthCheckRequest.$Properties): grpc.health.v1.HealthCheckRequest;

                /**
                 * Encodes the specified HealthCheckRequest message. Does not implicitly {@link grpc.health.v1.HealthCheckRequest.verify|verify} messages.
                 * @param message HealthCheckRequest message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: grpc.health.v1.HealthCheckRequest.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a HealthCheckRequest message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {grpc.health.v1.HealthCheckRequest & grpc.health.v1.HealthCheckRequest.$Shape} HealthCheckRequest
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): grpc.health.v1.HealthCheckRequest & grpc.health.v1.HealthCheckRequest.$Shape;
            }

            namespace HealthCheckRequest {

                /** Properties of a HealthCheckRequest. */
                interface $Properties {

                    /** HealthCheckRequest service */
                    service?: (string|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a HealthCheckRequest. */
                type $Shape = grpc.health.v1.HealthCheckRequest.$Properties;
            }

            /**
             * Properties of a HealthCheckResponse.
             * @deprecated Use grpc.health.v1.HealthCheckResponse.$Properties instead.
             */
            interface IHealthCheckResponse extends grpc.health.v1.HealthCheckResponse.$Properties {
            }

            /** Represents a HealthCheckResponse. */
            class HealthCheckResponse {

                /**
                 * Constructs a new HealthCheckResponse.
                 * @param [properties] Properties to set
                 */
                constructor(properties?: grpc.health.v1.HealthCheckResponse.$Properties);

                /** Unknown fields preserved while decoding when enabled */
                $unknowns?: Uint8Array[];

                /** HealthCheckResponse status. */
                status: grpc.health.v1.HealthCheckResponse.ServingStatus;

                /**
                 * Creates a new HealthCheckResponse instance using the specified properties.
                 * @param [properties] Properties to set
                 * @returns HealthCheckResponse instance
                 */
                static create(properties: grpc.health.v1.HealthCheckResponse.$Shape): grpc.health.v1.HealthCheckResponse & grpc.health.v1.HealthCheckResponse.$Shape;
                static create(properties?: grpc.health.v1.HealthCheckResponse.$Properties): grpc.health.v1.HealthCheckResponse;

                /**
                 * Encodes the specified HealthCheckResponse message. Does not implicitly {@link grpc.health.v1.HealthCheckResponse.verify|verify} messages.
                 * @param message HealthCheckResponse message or plain object to encode
                 * @param [writer] Writer to encode to
                 * @returns Writer
                 */
                static encode(message: grpc.health.v1.HealthCheckResponse.$Properties, writer?: $protobuf.Writer): $protobuf.Writer;

                /**
                 * Decodes a HealthCheckResponse message from the specified reader or buffer.
                 * @param reader Reader or buffer to decode from
                 * @param [length] Message length if known beforehand
                 * @returns {grpc.health.v1.HealthCheckResponse & grpc.health.v1.HealthCheckResponse.$Shape} HealthCheckResponse
                 * @throws {Error} If the payload is not a reader or valid buffer
                 * @throws {$protobuf.util.ProtocolError} If required fields are missing
                 */
                static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): grpc.health.v1.HealthCheckResponse & grpc.health.v1.HealthCheckResponse.$Shape;
            }

            namespace HealthCheckResponse {

                /** Properties of a HealthCheckResponse. */
                interface $Properties {

                    /** HealthCheckResponse status */
                    status?: (grpc.health.v1.HealthCheckResponse.ServingStatus|null);

                    /** Unknown fields preserved while decoding when enabled */
                    $unknowns?: Uint8Array[];
                }

                /** Shape of a HealthCheckResponse. */
                type $Shape = grpc.health.v1.HealthCheckResponse.$Properties;

                /** ServingStatus enum. */
                enum ServingStatus {

                    /** UNKNOWN value */
                    UNKNOWN = 0,

                    /** SERVING value */
                    SERVING = 1,

                    /** NOT_SERVING value */
                    NOT_SERVING = 2,

                    /** SERVICE_UNKNOWN value */
                    SERVICE_UNKNOWN = 3
                }
            }
        }
    }
}
