/**
 * The validator behind `gate.quality.terraform`. For each `.tf` artifact:
 *
 * 1. Parse: a small HCL structure reader (tokens, bodies, attributes and
 *    blocks with line numbers) written here, because core must not import the
 *    scanner's parser.
 * 2. Attribute table: every argument and nested block of every `resource` and
 *    `data` block of a type in ATTRIBUTE_TABLE (the AWS provider 6.x
 *    arguments, from its registry documentation) must be known. A resource
 *    type the table does not cover is a warning, never a silent pass.
 * 3. `terraform fmt`: the real binary from PATH (TF_CLI_CONFIG_FILE=/dev/null,
 *    TF_IN_AUTOMATION=1) formats the file from stdin; the output must be
 *    byte-identical. A missing binary is an error of kind `tool-missing`.
 *
 * `terraform validate` is not run: it needs provider schemas, and providers
 * cannot be downloaded offline. Results are cached by content, so the same
 * bytes are formatted once per process. Returns data; never throws.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArtifactValidator } from "../gates/engine.js";
import type { Artifact } from "../plans/plan.js";
import type { Issue, Result } from "../result.js";
import { fail, ok } from "../result.js";
import { didYouMean } from "../suggest.js";

export const TERRAFORM_TOOL = "terraform fmt + HCL parse + AWS provider 6.x attribute table";

// ---------------------------------------------------------------------------
// HCL structure

type TokKind = "ident" | "string" | "heredoc" | "number" | "newline" | "lbrace" | "rbrace" | "open" | "close" | "equals" | "other" | "eof";

interface Tok {
  kind: TokKind;
  text: string;
  line: number;
}

export interface HclAttribute {
  name: string;
  line: number;
}

export interface HclBlock {
  type: string;
  labels: string[];
  attributes: HclAttribute[];
  blocks: HclBlock[];
  line: number;
}

export interface HclSyntaxError {
  message: string;
  line: number;
}

/** Thrown inside the reader only; parseHclStructure turns it into data. */
class HclError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

class Lexer {
  private i = 0;
  private line = 1;
  readonly toks: Tok[] = [];

  constructor(private readonly src: string) {}

  run(): Tok[] {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "\n") {
        this.push("newline", "\n");
        this.i++;
        this.line++;
      } else if (c === " " || c === "\t" || c === "\r" || c === "\ufeff") {
        this.i++;
      } else if (c === "#" || (c === "/" && s[this.i + 1] === "/")) {
        while (this.i < s.length && s[this.i] !== "\n") this.i++;
      } else if (c === "/" && s[this.i + 1] === "*") {
        const end = s.indexOf("*/", this.i + 2);
        if (end < 0) throw this.error("unterminated /* comment");
        for (let k = this.i; k < end; k++) if (s[k] === "\n") this.line++;
        this.i = end + 2;
      } else if (c === '"') {
        const start = this.line;
        const text = this.quoted();
        this.toks.push({ kind: "string", text, line: start });
      } else if (c === "<" && s[this.i + 1] === "<" && /^<<-?[A-Za-z_]/.test(s.slice(this.i, this.i + 4))) {
        this.heredoc();
      } else if (/[A-Za-z_]/.test(c)) {
        const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(this.i, this.i + 256))!;
        this.push("ident", m[0]);
        this.i += m[0].length;
      } else if (/[0-9]/.test(c)) {
        const m = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(s.slice(this.i, this.i + 64))!;
        this.push("number", m[0]);
        this.i += m[0].length;
      } else if (c === "{") {
        this.push("lbrace", c);
        this.i++;
      } else if (c === "}") {
        this.push("rbrace", c);
        this.i++;
      } else if (c === "(" || c === "[") {
        this.push("open", c);
        this.i++;
      } else if (c === ")" || c === "]") {
        this.push("close", c);
        this.i++;
      } else if (c === "=" && s[this.i + 1] !== "=" && s[this.i + 1] !== ">" && !["=", "!", "<", ">"].includes(s[this.i - 1] ?? "")) {
        this.push("equals", c);
        this.i++;
      } else {
        this.push("other", c);
        this.i++;
      }
    }
    this.push("eof", "");
    return this.toks;
  }

  private push(kind: TokKind, text: string): void {
    this.toks.push({ kind, text, line: this.line });
  }

  private error(message: string): HclError {
    return new HclError(message, this.line);
  }

  /** A quoted template, with nested `${…}` / `%{…}` sequences that may hold strings and braces. */
  private quoted(): string {
    const s = this.src;
    const start = this.i;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "\\") {
        this.i += 2;
      } else if (c === '"') {
        this.i++;
        return s.slice(start, this.i);
      } else if (c === "\n") {
        throw this.error("unterminated string (a quoted string cannot span lines)");
      } else if ((c === "$" || c === "%") && s[this.i + 1] === c && s[this.i + 2] === "{") {
        this.i += 3;
      } else if ((c === "$" || c === "%") && s[this.i + 1] === "{") {
        this.i += 2;
        this.interpolation();
      } else {
        this.i++;
      }
    }
    throw this.error("unterminated string");
  }

  private interpolation(): void {
    const s = this.src;
    let depth = 1;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === '"') this.quoted();
      else if (c === "{") {
        depth++;
        this.i++;
      } else if (c === "}") {
        depth--;
        this.i++;
        if (depth === 0) return;
      } else {
        if (c === "\n") this.line++;
        this.i++;
      }
    }
    throw this.error("unterminated ${ interpolation");
  }

  private heredoc(): void {
    const s = this.src;
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(s.slice(this.i, this.i + 300));
    if (!m) throw this.error("malformed heredoc introducer");
    const startLine = this.line;
    const marker = m[2]!;
    this.i += m[0].length;
    this.line++;
    while (this.i < s.length) {
      const eol = s.indexOf("\n", this.i);
      const lineText = s.slice(this.i, eol < 0 ? s.length : eol).replace(/\r$/, "");
      this.i = eol < 0 ? s.length : eol;
      if (lineText.trim() === marker) {
        this.toks.push({ kind: "heredoc", text: marker, line: startLine });
        return;
      }
      if (eol < 0) break;
      this.i++;
      this.line++;
    }
    throw new HclError(`heredoc ${marker} is not terminated`, startLine);
  }
}

class Parser {
  private p = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.p]!;
  }

  private next(): Tok {
    const t = this.toks[this.p]!;
    if (t.kind !== "eof") this.p++;
    return t;
  }

  body(inBlock: boolean): { attributes: HclAttribute[]; blocks: HclBlock[] } {
    const attributes: HclAttribute[] = [];
    const blocks: HclBlock[] = [];
    for (;;) {
      while (this.peek().kind === "newline") this.next();
      const t = this.peek();
      if (t.kind === "rbrace") {
        if (!inBlock) throw new HclError("unexpected }", t.line);
        return { attributes, blocks };
      }
      if (t.kind === "eof") {
        if (inBlock) throw new HclError("unclosed block: missing }", t.line);
        return { attributes, blocks };
      }
      if (t.kind !== "ident") throw new HclError(`expected an attribute or block name, found ${JSON.stringify(t.text)}`, t.line);
      this.next();
      if (this.peek().kind === "equals") {
        this.next();
        this.expression(t.line);
        attributes.push({ name: t.text, line: t.line });
        continue;
      }
      const labels: string[] = [];
      while (this.peek().kind === "string" || this.peek().kind === "ident") {
        const l = this.next();
        labels.push(l.kind === "string" ? unquote(l.text) : l.text);
      }
      const open = this.next();
      if (open.kind !== "lbrace") throw new HclError(`expected = or { after ${t.text}`, open.line);
      const inner = this.body(true);
      this.next(); // the closing brace
      blocks.push({ type: t.text, labels, ...inner, line: t.line });
      const after = this.peek();
      if (after.kind !== "newline" && after.kind !== "eof" && after.kind !== "rbrace") {
        throw new HclError(`expected a newline after the block ${t.text}`, after.line);
      }
    }
  }

  /** Skip an expression: it ends at a newline or a closing brace outside brackets. */
  private expression(line: number): void {
    let depth = 0;
    let empty = true;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") {
        if (depth > 0) throw new HclError("unclosed bracket in expression", line);
        if (empty) throw new HclError("missing expression after =", line);
        return;
      }
      if (depth === 0 && (t.kind === "newline" || t.kind === "rbrace")) {
        if (empty) throw new HclError("missing expression after =", line);
        return;
      }
      this.next();
      empty = false;
      if (t.kind === "open" || t.kind === "lbrace") depth++;
      else if (t.kind === "close" || t.kind === "rbrace") {
        depth--;
        if (depth < 0) throw new HclError(`unbalanced ${t.text}`, t.line);
      }
    }
  }
}

function unquote(s: string): string {
  try {
    return JSON.parse(s) as string;
  } catch {
    return s.slice(1, -1);
  }
}

/** Parse the structure of an HCL file (bodies, attributes, blocks); expressions are skipped, not evaluated. */
export function parseHclStructure(src: string): { ok: true; blocks: HclBlock[]; attributes: HclAttribute[] } | { ok: false; error: HclSyntaxError } {
  try {
    const toks = new Lexer(src).run();
    const body = new Parser(toks).body(false);
    return { ok: true, ...body };
  } catch (e) {
    if (e instanceof HclError) return { ok: false, error: { message: e.message, line: e.line } };
    return { ok: false, error: { message: `parser failure: ${String(e)}`, line: 1 } };
  }
}

// ---------------------------------------------------------------------------
// Attribute table: AWS provider 6.x arguments and nested blocks per type.

/** `a`: arguments, space-separated; `b`: nested blocks (their schema, or "*" when their content is not checked). */
export interface BlockSchema {
  a: string;
  b?: Readonly<Record<string, BlockSchema | "*">>;
  /** Arguments matched by pattern (families such as aws_lb_listener's routing_http_*). */
  p?: RegExp;
}

const TIMEOUTS: BlockSchema = { a: "create read update delete" };
const SG_RULE: BlockSchema = { a: "cidr_blocks description from_port ipv6_cidr_blocks prefix_list_ids protocol security_groups self to_port" };
const SG_RULE_RESOURCE: BlockSchema = { a: "security_group_id cidr_ipv4 cidr_ipv6 description from_port ip_protocol prefix_list_id referenced_security_group_id to_port tags region" };
const EBS: BlockSchema = { a: "delete_on_termination encrypted iops kms_key_id snapshot_id throughput volume_initialization_rate volume_size volume_type" };
const LIFECYCLE_FILTER: BlockSchema = {
  a: "object_size_greater_than object_size_less_than prefix",
  b: { and: { a: "object_size_greater_than object_size_less_than prefix tags" }, tag: { a: "key value" } },
};

export const ATTRIBUTE_TABLE: Readonly<Record<"resource" | "data", Readonly<Record<string, BlockSchema>>>> = {
  resource: {
    aws_vpc: {
      a: "cidr_block instance_tenancy ipv4_ipam_pool_id ipv4_netmask_length ipv6_cidr_block ipv6_ipam_pool_id ipv6_netmask_length ipv6_cidr_block_network_border_group enable_dns_support enable_network_address_usage_metrics enable_dns_hostnames assign_generated_ipv6_cidr_block tags region",
    },
    aws_subnet: {
      a: "assign_ipv6_address_on_creation availability_zone availability_zone_id cidr_block customer_owned_ipv4_pool enable_dns64 enable_lni_at_device_index enable_resource_name_dns_aaaa_record_on_launch enable_resource_name_dns_a_record_on_launch ipv4_ipam_pool_id ipv4_netmask_length ipv6_cidr_block ipv6_ipam_pool_id ipv6_native ipv6_netmask_length map_customer_owned_ip_on_launch map_public_ip_on_launch outpost_arn private_dns_hostname_type_on_launch vpc_id tags region",
      b: { timeouts: TIMEOUTS },
    },
    aws_internet_gateway: { a: "vpc_id tags region", b: { timeouts: TIMEOUTS } },
    aws_eip: {
      a: "address associate_with_private_ip customer_owned_ipv4_pool domain instance ipam_pool_id network_border_group network_interface public_ipv4_pool tags region",
      b: { timeouts: TIMEOUTS },
    },
    aws_nat_gateway: {
      a: "allocation_id availability_mode connectivity_type private_ip subnet_id secondary_allocation_ids secondary_private_ip_address_count secondary_private_ip_addresses vpc_id tags region",
      b: { availability_zone_address: { a: "allocation_ids availability_zone availability_zone_id" }, timeouts: TIMEOUTS },
    },
    aws_route_table: {
      a: "vpc_id route propagating_vgws tags region",
      b: {
        route: {
          a: "cidr_block ipv6_cidr_block destination_prefix_list_id carrier_gateway_id core_network_arn egress_only_gateway_id gateway_id local_gateway_id nat_gateway_id network_interface_id transit_gateway_id vpc_endpoint_id vpc_peering_connection_id",
        },
        timeouts: TIMEOUTS,
      },
    },
    aws_route: {
      a: "route_table_id destination_cidr_block destination_ipv6_cidr_block destination_prefix_list_id carrier_gateway_id core_network_arn egress_only_gateway_id gateway_id nat_gateway_id local_gateway_id network_interface_id transit_gateway_id vpc_endpoint_id vpc_peering_connection_id region",
      b: { timeouts: TIMEOUTS },
    },
    aws_route_table_association: { a: "subnet_id gateway_id route_table_id region", b: { timeouts: TIMEOUTS } },
    aws_default_security_group: { a: "vpc_id ingress egress revoke_rules_on_delete tags region", b: { ingress: SG_RULE, egress: SG_RULE } },
    aws_security_group: {
      a: "name name_prefix description egress ingress revoke_rules_on_delete vpc_id tags region",
      b: { ingress: SG_RULE, egress: SG_RULE, timeouts: TIMEOUTS },
    },
    aws_vpc_security_group_ingress_rule: SG_RULE_RESOURCE,
    aws_vpc_security_group_egress_rule: SG_RULE_RESOURCE,
    aws_vpc_endpoint: {
      a: "vpc_id service_name auto_accept policy private_dns_enabled ip_address_type route_table_ids subnet_ids security_group_ids vpc_endpoint_type resource_configuration_arn service_network_arn service_region tags region",
      b: {
        dns_options: { a: "dns_record_ip_type private_dns_only_for_inbound_resolver_endpoint" },
        subnet_configuration: { a: "ipv4 ipv6 subnet_id" },
        timeouts: TIMEOUTS,
      },
    },
    aws_flow_log: {
      a: "traffic_type deliver_cross_account_role eni_id iam_role_arn log_destination_type log_destination subnet_id transit_gateway_id transit_gateway_attachment_id vpc_id log_format max_aggregation_interval tags region",
      b: { destination_options: { a: "file_format hive_compatible_partitions per_hour_partition" } },
    },
    aws_cloudwatch_log_group: { a: "name name_prefix skip_destroy log_group_class retention_in_days kms_key_id tags region" },
    aws_kms_key: {
      a: "description key_usage custom_key_store_id customer_master_key_spec policy bypass_policy_lockout_safety_check deletion_window_in_days is_enabled enable_key_rotation rotation_period_in_days multi_region xks_key_id tags region",
      b: { timeouts: TIMEOUTS },
    },
    aws_kms_alias: { a: "name name_prefix target_key_id region" },
    aws_iam_role: {
      a: "assume_role_policy description force_detach_policies max_session_duration name name_prefix path permissions_boundary managed_policy_arns tags",
      b: { inline_policy: { a: "name policy" } },
    },
    aws_iam_role_policy: { a: "name name_prefix policy role" },
    aws_iam_role_policy_attachment: { a: "role policy_arn" },
    aws_iam_openid_connect_provider: { a: "url client_id_list thumbprint_list tags" },
    aws_eks_cluster: {
      a: "name role_arn bootstrap_self_managed_addons deletion_protection enabled_cluster_log_types force_update_version version tags region",
      b: {
        vpc_config: { a: "endpoint_private_access endpoint_public_access public_access_cidrs security_group_ids subnet_ids" },
        access_config: { a: "authentication_mode bootstrap_cluster_creator_admin_permissions" },
        compute_config: { a: "enabled node_pools node_role_arn" },
        encryption_config: { a: "resources", b: { provider: { a: "key_arn" } } },
        kubernetes_network_config: { a: "service_ipv4_cidr ip_family", b: { elastic_load_balancing: { a: "enabled" } } },
        outpost_config: { a: "control_plane_instance_type outpost_arns", b: { control_plane_placement: { a: "group_name" } } },
        remote_network_config: { a: "", b: { remote_node_networks: { a: "cidrs" }, remote_pod_networks: { a: "cidrs" } } },
        storage_config: { a: "", b: { block_storage: { a: "enabled" } } },
        upgrade_policy: { a: "support_type" },
        zonal_shift_config: { a: "enabled" },
        timeouts: TIMEOUTS,
      },
    },
    aws_eks_node_group: {
      a: "cluster_name node_role_arn subnet_ids ami_type capacity_type disk_size force_update_version instance_types labels node_group_name node_group_name_prefix release_version version tags region",
      b: {
        scaling_config: { a: "desired_size max_size min_size" },
        update_config: { a: "max_unavailable max_unavailable_percentage" },
        launch_template: { a: "id name version" },
        remote_access: { a: "ec2_ssh_key source_security_group_ids" },
        taint: { a: "key value effect" },
        node_repair_config: { a: "enabled" },
        timeouts: TIMEOUTS,
      },
    },
    aws_eks_addon: {
      a: "cluster_name addon_name addon_version configuration_values resolve_conflicts_on_create resolve_conflicts_on_update preserve service_account_role_arn tags region",
      b: { pod_identity_association: { a: "role_arn service_account" }, timeouts: TIMEOUTS },
    },
    aws_eks_access_entry: { a: "cluster_name principal_arn kubernetes_groups type user_name tags region", b: { timeouts: TIMEOUTS } },
    aws_eks_access_policy_association: { a: "cluster_name policy_arn principal_arn region", b: { access_scope: { a: "type namespaces" }, timeouts: TIMEOUTS } },
    aws_launch_template: {
      a: "name name_prefix description default_version update_default_version disable_api_stop disable_api_termination ebs_optimized image_id instance_initiated_shutdown_behavior instance_type kernel_id key_name ram_disk_id security_group_names user_data vpc_security_group_ids tags region",
      b: {
        block_device_mappings: { a: "device_name no_device virtual_name", b: { ebs: EBS } },
        capacity_reservation_specification: "*",
        cpu_options: { a: "amd_sev_snp core_count threads_per_core" },
        credit_specification: { a: "cpu_credits" },
        enclave_options: { a: "enabled" },
        hibernation_options: { a: "configured" },
        iam_instance_profile: { a: "arn name" },
        instance_market_options: "*",
        instance_requirements: "*",
        license_specification: { a: "license_configuration_arn" },
        maintenance_options: { a: "auto_recovery" },
        metadata_options: { a: "http_endpoint http_tokens http_put_response_hop_limit http_protocol_ipv6 instance_metadata_tags" },
        monitoring: { a: "enabled" },
        network_interfaces: "*",
        placement: "*",
        private_dns_name_options: { a: "enable_resource_name_dns_aaaa_record enable_resource_name_dns_a_record hostname_type" },
        tag_specifications: { a: "resource_type tags" },
      },
    },
    aws_ecs_cluster: {
      a: "name tags region",
      b: {
        configuration: {
          a: "",
          b: {
            execute_command_configuration: { a: "kms_key_id logging", b: { log_configuration: { a: "cloud_watch_encryption_enabled cloud_watch_log_group_name s3_bucket_name s3_bucket_encryption_enabled s3_key_prefix" } } },
            managed_storage_configuration: { a: "fargate_ephemeral_storage_kms_key_id kms_key_id" },
          },
        },
        service_connect_defaults: { a: "namespace" },
        setting: { a: "name value" },
      },
    },
    aws_ecs_task_definition: {
      a: "container_definitions family cpu enable_fault_injection execution_role_arn ipc_mode memory network_mode pid_mode requires_compatibilities skip_destroy task_role_arn track_latest tags region",
      b: {
        ephemeral_storage: { a: "size_in_gib" },
        runtime_platform: { a: "operating_system_family cpu_architecture" },
        placement_constraints: { a: "expression type" },
        proxy_configuration: { a: "container_name properties type" },
        volume: {
          a: "name host_path configure_at_launch",
          b: { docker_volume_configuration: "*", efs_volume_configuration: "*", fsx_windows_file_server_volume_configuration: "*" },
        },
      },
    },
    aws_ecs_service: {
      a: "name availability_zone_rebalancing cluster deployment_maximum_percent deployment_minimum_healthy_percent desired_count enable_ecs_managed_tags enable_execute_command force_delete force_new_deployment health_check_grace_period_seconds iam_role launch_type platform_version propagate_tags scheduling_strategy sigint_rollback task_definition triggers wait_for_steady_state tags region",
      b: {
        alarms: { a: "alarm_names enable rollback" },
        capacity_provider_strategy: { a: "base capacity_provider weight" },
        deployment_circuit_breaker: { a: "enable rollback" },
        deployment_configuration: "*",
        deployment_controller: { a: "type" },
        load_balancer: { a: "elb_name target_group_arn container_name container_port", b: { advanced_configuration: "*" } },
        network_configuration: { a: "subnets security_groups assign_public_ip" },
        ordered_placement_strategy: { a: "type field" },
        placement_constraints: { a: "type expression" },
        service_connect_configuration: "*",
        service_registries: { a: "registry_arn port container_port container_name" },
        volume_configuration: "*",
        vpc_lattice_configurations: { a: "role_arn target_group_arn port_name" },
        timeouts: TIMEOUTS,
      },
    },
    aws_lb: {
      a: "name name_prefix internal load_balancer_type security_groups subnets client_keep_alive customer_owned_ipv4_pool desync_mitigation_mode dns_record_client_routing_policy drop_invalid_header_fields enable_cross_zone_load_balancing enable_deletion_protection enable_http2 enable_tls_version_and_cipher_suite_headers enable_waf_fail_open enable_xff_client_port enable_zonal_shift enforce_security_group_inbound_rules_on_private_link_traffic idle_timeout ip_address_type preserve_host_header secondary_ips_auto_assigned_per_subnet xff_header_processing_mode tags region",
      b: {
        access_logs: { a: "bucket enabled prefix" },
        connection_logs: { a: "bucket enabled prefix" },
        health_check_logs: { a: "bucket enabled prefix" },
        ipam_pools: { a: "ipv4_ipam_pool_id" },
        minimum_load_balancer_capacity: { a: "capacity_units" },
        subnet_mapping: { a: "allocation_id ipv6_address private_ipv4_address subnet_id" },
        timeouts: TIMEOUTS,
      },
    },
    aws_lb_target_group: {
      a: "name name_prefix port protocol protocol_version target_type vpc_id connection_termination deregistration_delay ip_address_type lambda_multi_value_headers_enabled load_balancing_algorithm_type load_balancing_anomaly_mitigation load_balancing_cross_zone_enabled preserve_client_ip proxy_protocol_v2 slow_start tags region",
      b: {
        health_check: { a: "enabled healthy_threshold interval matcher path port protocol timeout unhealthy_threshold" },
        stickiness: { a: "cookie_duration cookie_name enabled type" },
        target_failover: { a: "on_deregistration on_unhealthy" },
        target_group_health: "*",
        target_health_state: { a: "enable_unhealthy_connection_termination unhealthy_draining_interval" },
      },
    },
    aws_lb_listener: {
      a: "load_balancer_arn port protocol ssl_policy certificate_arn alpn_policy tcp_idle_timeout_seconds tags region",
      p: /^routing_http_[a-z0-9_]+$/,
      b: {
        default_action: {
          a: "type target_group_arn order",
          b: {
            authenticate_cognito: "*",
            authenticate_oidc: "*",
            fixed_response: { a: "content_type message_body status_code" },
            forward: "*",
            redirect: { a: "host path port protocol query status_code" },
          },
        },
        mutual_authentication: { a: "advertise_trust_store_ca_names ignore_client_certificate_expiry mode trust_store_arn" },
        timeouts: TIMEOUTS,
      },
    },
    aws_appautoscaling_target: {
      a: "max_capacity min_capacity resource_id role_arn scalable_dimension service_namespace tags region",
      b: { suspended_state: { a: "dynamic_scaling_in_suspended dynamic_scaling_out_suspended scheduled_scaling_suspended" } },
    },
    aws_appautoscaling_policy: {
      a: "name policy_type resource_id scalable_dimension service_namespace region",
      b: {
        step_scaling_policy_configuration: "*",
        predictive_scaling_policy_configuration: "*",
        target_tracking_scaling_policy_configuration: {
          a: "target_value disable_scale_in scale_in_cooldown scale_out_cooldown",
          b: { customized_metric_specification: "*", predefined_metric_specification: { a: "predefined_metric_type resource_label" } },
        },
      },
    },
    aws_db_instance: {
      a: "allocated_storage allow_major_version_upgrade apply_immediately auto_minor_version_upgrade availability_zone backup_retention_period backup_target backup_window ca_cert_identifier character_set_name copy_tags_to_snapshot custom_iam_instance_profile customer_owned_ip_enabled database_insights_mode db_name db_subnet_group_name dedicated_log_volume delete_automated_backups deletion_protection domain domain_auth_secret_arn domain_dns_ips domain_fqdn domain_iam_role_name domain_ou enabled_cloudwatch_logs_exports engine engine_lifecycle_support engine_version final_snapshot_identifier iam_database_authentication_enabled identifier identifier_prefix instance_class iops kms_key_id license_model maintenance_window manage_master_user_password master_user_secret_kms_key_id max_allocated_storage monitoring_interval monitoring_role_arn multi_az nchar_character_set_name network_type option_group_name parameter_group_name password password_wo password_wo_version performance_insights_enabled performance_insights_kms_key_id performance_insights_retention_period port publicly_accessible replica_mode replicate_source_db skip_final_snapshot snapshot_identifier storage_encrypted storage_throughput storage_type timezone upgrade_storage_config username vpc_security_group_ids tags region",
      b: {
        blue_green_update: { a: "enabled" },
        restore_to_point_in_time: { a: "restore_time source_db_instance_identifier source_db_instance_automated_backups_arn source_dbi_resource_id use_latest_restorable_time" },
        s3_import: { a: "bucket_name bucket_prefix ingestion_role source_engine source_engine_version" },
        timeouts: TIMEOUTS,
      },
    },
    aws_db_subnet_group: { a: "name name_prefix description subnet_ids tags region" },
    aws_db_parameter_group: { a: "name name_prefix family description skip_destroy tags region", b: { parameter: { a: "name value apply_method" } } },
    aws_s3_bucket: {
      a: "bucket bucket_prefix force_destroy object_lock_enabled acceleration_status acl policy request_payer tags region",
      b: {
        cors_rule: "*",
        grant: "*",
        lifecycle_rule: "*",
        logging: { a: "target_bucket target_prefix" },
        object_lock_configuration: "*",
        replication_configuration: "*",
        server_side_encryption_configuration: "*",
        versioning: { a: "enabled mfa_delete" },
        website: "*",
        timeouts: TIMEOUTS,
      },
    },
    aws_s3_bucket_ownership_controls: { a: "bucket region", b: { rule: { a: "object_ownership" } } },
    aws_s3_bucket_public_access_block: { a: "bucket block_public_acls block_public_policy ignore_public_acls restrict_public_buckets skip_destroy region" },
    aws_s3_bucket_server_side_encryption_configuration: {
      a: "bucket expected_bucket_owner region",
      b: { rule: { a: "bucket_key_enabled blocked_encryption_types", b: { apply_server_side_encryption_by_default: { a: "sse_algorithm kms_master_key_id" } } } },
    },
    aws_s3_bucket_versioning: { a: "bucket expected_bucket_owner mfa region", b: { versioning_configuration: { a: "status mfa_delete" } } },
    aws_s3_bucket_lifecycle_configuration: {
      a: "bucket expected_bucket_owner transition_default_minimum_object_size region",
      b: {
        rule: {
          a: "id status prefix",
          b: {
            abort_incomplete_multipart_upload: { a: "days_after_initiation" },
            expiration: { a: "date days expired_object_delete_marker" },
            filter: LIFECYCLE_FILTER,
            noncurrent_version_expiration: { a: "newer_noncurrent_versions noncurrent_days" },
            noncurrent_version_transition: { a: "newer_noncurrent_versions noncurrent_days storage_class" },
            transition: { a: "date days storage_class" },
          },
        },
        timeouts: TIMEOUTS,
      },
    },
    aws_s3_bucket_logging: {
      a: "bucket expected_bucket_owner target_bucket target_prefix region",
      b: {
        target_grant: { a: "permission", b: { grantee: { a: "email_address id type uri" } } },
        target_object_key_format: { a: "", b: { partitioned_prefix: { a: "partition_date_source" }, simple_prefix: { a: "" } } },
      },
    },
    aws_s3_bucket_policy: { a: "bucket policy region" },
  },
  data: {
    aws_caller_identity: { a: "" },
    aws_partition: { a: "" },
    aws_region: { a: "name region endpoint" },
    aws_availability_zones: {
      a: "all_availability_zones exclude_names exclude_zone_ids state region",
      b: { filter: { a: "name values" }, timeouts: { a: "read" } },
    },
    aws_iam_policy_document: {
      a: "override_policy_documents policy_id source_policy_documents version",
      b: {
        statement: {
          a: "sid effect actions not_actions resources not_resources",
          b: {
            principals: { a: "type identifiers" },
            not_principals: { a: "type identifiers" },
            condition: { a: "test variable values" },
          },
        },
      },
    },
  },
};

const META_ARGUMENTS = new Set(["count", "for_each", "provider", "depends_on"]);
const META_BLOCKS = new Set(["lifecycle", "provisioner", "connection"]);

function argumentsOf(s: BlockSchema): Set<string> {
  return new Set(s.a.split(" ").filter((x) => x !== ""));
}

/** Check one body against its schema; `where` names it in messages. */
function checkBody(body: HclBlock, schema: BlockSchema, where: string, top: boolean, out: Issue[]): void {
  const args = argumentsOf(schema);
  const nested = schema.b ?? {};
  const names = [...args, ...Object.keys(nested)];
  for (const a of body.attributes) {
    if (args.has(a.name) || (top && META_ARGUMENTS.has(a.name)) || schema.p?.test(a.name)) continue;
    out.push({ message: `Unknown argument "${a.name}" in ${where}.${didYouMean(a.name, names)}`, line: a.line, kind: "unknown-argument" });
  }
  for (const b of body.blocks) {
    if (top && META_BLOCKS.has(b.type)) continue;
    if (b.type === "dynamic") {
      const name = b.labels[0] ?? "";
      const inner = nested[name];
      if (inner === undefined) {
        out.push({ message: `Unknown block "${name}" in dynamic block of ${where}.${didYouMean(name, Object.keys(nested))}`, line: b.line, kind: "unknown-block" });
        continue;
      }
      for (const c of b.blocks) if (c.type === "content" && inner !== "*") checkBody(c, inner, `${where} > ${name}`, false, out);
      continue;
    }
    const inner = nested[b.type];
    if (inner === undefined) {
      out.push({ message: `Unknown block "${b.type}" in ${where}.${didYouMean(b.type, names)}`, line: b.line, kind: "unknown-block" });
      continue;
    }
    if (inner !== "*") checkBody(b, inner, `${where} > ${b.type}`, false, out);
  }
}

/**
 * Check every resource and data block of the file against the attribute
 * table. Errors for unknown arguments and blocks; warnings for types the
 * table does not cover.
 */
export function checkAttributes(blocks: readonly HclBlock[]): { errors: Issue[]; warnings: Issue[] } {
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  for (const b of blocks) {
    if ((b.type !== "resource" && b.type !== "data") || b.labels.length < 2) continue;
    const type = b.labels[0]!;
    const schema = ATTRIBUTE_TABLE[b.type][type];
    const where = `${b.type} "${type}" "${b.labels[1]!}"`;
    if (schema === undefined) {
      warnings.push({ message: `No attribute table for ${b.type} type ${type}; its arguments were not checked.`, line: b.line, kind: "unchecked-type" });
      continue;
    }
    checkBody(b, schema, where, true, errors);
  }
  return { errors, warnings };
}

// ---------------------------------------------------------------------------
// terraform fmt

type FmtOutcome = { kind: "formatted"; output: string } | { kind: "syntax"; message: string; line: number | undefined } | { kind: "missing"; message: string } | { kind: "error"; message: string };

const FMT_TIMEOUT_MS = 30_000;
const INSTALL_HINT = "install Terraform >= 1.11 (https://developer.hashicorp.com/terraform/install) and put `terraform` on PATH";

interface RawRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `terraform <args>` with stdin; a missing binary or a timeout is a FmtOutcome, a finished run is its raw output. */
function runTerraform(args: readonly string[], stdin: string): Promise<RawRun | Extract<FmtOutcome, { kind: "missing" | "error" }>> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: RawRun | Extract<FmtOutcome, { kind: "missing" | "error" }>): void => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    let child;
    try {
      child = spawn("terraform", [...args], {
        env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
        stdio: ["pipe", "pipe", "pipe"],
      });
    } catch (e) {
      done({ kind: "missing", message: `terraform could not be started (${(e as Error).message}); ${INSTALL_HINT}` });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      done({ kind: "error", message: `terraform fmt did not finish within ${FMT_TIMEOUT_MS / 1000} s` });
    }, FMT_TIMEOUT_MS);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(e.code === "ENOENT" ? { kind: "missing", message: `terraform is not installed or not on PATH; ${INSTALL_HINT}` } : { kind: "error", message: `terraform fmt failed to run: ${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
    child.stdin.on("error", () => {
      // The process may exit before reading stdin (e.g. a bad flag); the close handler reports it.
    });
    child.stdin.end(stdin, "utf8");
  });
}

/** The first diagnostic of terraform's stderr: summary, detail and line. */
function diagnostic(stderr: string): { message: string; line: number | undefined } {
  const line = /line (\d+)/.exec(stderr);
  const summary = /Error: ([^\n]+)/.exec(stderr)?.[1]?.trim() ?? "syntax error";
  const detail = stderr
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("on ") && !/^\d+:/.test(l) && !l.startsWith("Error:"))
    .shift();
  return { message: `${summary}${detail !== undefined ? `: ${detail}` : ""}`, line: line ? Number(line[1]) : undefined };
}

/** Run `terraform fmt -` on the content and return what it printed. */
async function terraformFmt(content: string): Promise<FmtOutcome> {
  const r = await runTerraform(["fmt", "-no-color", "-"], content);
  if ("kind" in r) return r;
  if (r.code === 0) return { kind: "formatted", output: r.stdout };
  if (r.code === 2) return { kind: "syntax", ...diagnostic(r.stderr) };
  return { kind: "error", message: `terraform fmt exited with ${String(r.code)}: ${r.stderr.trim().slice(0, 500)}` };
}

function firstDifference(a: string, b: string): { line: number; got: string; want: string } {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return { line: i + 1, got: x[i] ?? "<end of file>", want: y[i] ?? "<end of file>" };
  }
  return { line: 1, got: "", want: "" };
}

// ---------------------------------------------------------------------------
// The validator

const MAX_CACHE = 4096;
const cache = new Map<string, Promise<Result<null>>>();

/**
 * Structure and attribute-table checks, then the fmt outcome (computed here
 * with one `terraform fmt -` run unless the caller already knows it).
 */
async function validateContent(content: string, path: string, known?: FmtOutcome): Promise<Result<null>> {
  const parsed = parseHclStructure(content);
  if (!parsed.ok) {
    return fail([{ message: `HCL syntax error: ${parsed.error.message}`, path, line: parsed.error.line, kind: "hcl-syntax" }]);
  }
  const table = checkAttributes(parsed.blocks);
  const errors: Issue[] = table.errors.map((e) => ({ ...e, path }));
  const warnings: Issue[] = table.warnings.map((w) => ({ ...w, path }));
  const fmt = known ?? (await terraformFmt(content));
  switch (fmt.kind) {
    case "missing":
      return fail([{ message: fmt.message, path, kind: "tool-missing" }, ...errors], warnings);
    case "error":
      return fail([{ message: fmt.message, path, kind: "tool-error" }, ...errors], warnings);
    case "syntax":
      errors.unshift({ message: `terraform fmt: ${fmt.message}`, path, ...(fmt.line !== undefined ? { line: fmt.line } : {}), kind: "hcl-syntax" });
      break;
    case "formatted":
      if (fmt.output !== content) {
        const d = firstDifference(content, fmt.output);
        errors.unshift({ message: `not in canonical format (terraform fmt would rewrite it); first difference at line ${d.line}: ${JSON.stringify(d.got)} should be ${JSON.stringify(d.want)}`, path, line: d.line, kind: "fmt" });
      }
      break;
  }
  return errors.length === 0 ? ok(null, warnings) : fail(errors, warnings);
}

function cacheKey(content: string, path: string): string {
  return createHash("sha256").update(path).update("\u0000").update(content).digest("hex");
}

function remember(id: string, p: Promise<Result<null>>): Promise<Result<null>> {
  const kept = p.then((r) => {
    // A tool failure is not an answer about the file: try again next time.
    if (!r.ok && r.errors.some((e) => e.kind === "tool-missing" || e.kind === "tool-error")) cache.delete(id);
    return r;
  });
  if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value!);
  cache.set(id, kept);
  return kept;
}

/**
 * Validate one Terraform file. Results are cached by content and path, so
 * identical files cost one `terraform fmt` per process; a tool failure is
 * not cached.
 */
export function validateTerraform(content: string, path: string): Promise<Result<null>> {
  const id = cacheKey(content, path);
  return cache.get(id) ?? remember(id, validateContent(content, path));
}

/**
 * Validate many files with one `terraform fmt -check -list` over a temporary
 * directory (one process instead of one per file); files it lists are run
 * again through stdin for the exact difference. The results also fill the
 * cache, so `validate` answers at once for these artifacts afterwards.
 */
export async function validateTerraformArtifacts(artifacts: readonly Artifact[]): Promise<Map<string, Result<null>>> {
  const out = new Map<string, Result<null>>();
  const todo = artifacts.filter((a) => {
    const hit = cache.get(cacheKey(a.content, a.path));
    return hit === undefined;
  });
  if (todo.length > 1) {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(tmpdir(), "devops-pack-tf-"));
      todo.forEach((a, i) => writeFileSync(join(dir!, `${i}.tf`), a.content, "utf8"));
      const r = await runTerraform(["fmt", "-check", "-list=true", "-no-color", dir], "");
      if (!("kind" in r) && (r.code === 0 || r.code === 2 || r.code === 3)) {
        const listed = new Set(r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "").map((l) => l.replace(/^.*[\\/]/, "")));
        const broken = new Map<string, string>();
        for (const part of r.stderr.split(/(?=Error: )/)) {
          const file = /on (\S+?\.tf) line \d+/.exec(part)?.[1]?.replace(/^.*[\\/]/, "");
          if (file !== undefined && !broken.has(file)) broken.set(file, part);
        }
        todo.forEach((a, i) => {
          const name = `${i}.tf`;
          const id = cacheKey(a.content, a.path);
          const syntax = broken.get(name);
          if (syntax !== undefined) void remember(id, validateContent(a.content, a.path, { kind: "syntax", ...diagnostic(syntax) }));
          // After a syntax error terraform stops listing, so an unlisted file is only known to be formatted on exit 0 or 3.
          else if (r.code !== 2 && !listed.has(name)) void remember(id, validateContent(a.content, a.path, { kind: "formatted", output: a.content }));
          // The rest fall through to the stdin run below, which gives the first difference.
        });
      }
    } catch {
      // A temporary directory that cannot be written is not a verdict: the per-file runs below decide.
    } finally {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const a of artifacts) out.set(a.path, await validateTerraform(a.content, a.path));
  return out;
}

/**
 * The quality-gate validator. `validateAll` is the batch form: one
 * `terraform fmt` process for a whole plan; calling it before the
 * per-artifact `validate` calls makes those answer from the cache.
 */
export const terraformValidator: ArtifactValidator & { validateAll(artifacts: readonly Artifact[]): Promise<Map<string, Result<null>>> } = {
  kind: "terraform",
  tool: TERRAFORM_TOOL,
  validate: (a) => validateTerraform(a.content, a.path),
  validateAll: validateTerraformArtifacts,
};
