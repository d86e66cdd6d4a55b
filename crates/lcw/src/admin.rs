//! `lcw tenant` and `lcw app`: tenants and app registrations, managed on a database whether
//! or not a server runs on it.

use clap::{Args, Subcommand};

use crate::{open_domain, print_json, CliError, DatabaseArg};

#[derive(Args)]
pub(crate) struct TenantArgs {
    #[command(subcommand)]
    pub(crate) command: TenantCommand,
}

#[derive(Subcommand)]
pub(crate) enum TenantCommand {
    /// Create a tenant with a domain name; prints its id.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        /// Its domain name, e.g. contoso.onmicrosoft.com.
        #[arg(long)]
        domain: String,
        /// Its id (default: a new GUID).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the tenants.
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        json: bool,
    },
    /// Delete a tenant (by id or domain name) with its data and apps.
    Remove {
        #[command(flatten)]
        db: DatabaseArg,
        tenant: String,
    },
}

#[derive(Args)]
pub(crate) struct AppArgs {
    #[command(subcommand)]
    pub(crate) command: AppCommand,
}

#[derive(Subcommand)]
pub(crate) enum AppCommand {
    /// Register an app (creating its tenant when new) and print its credentials once.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
        /// Tenant id the app belongs to.
        #[arg(long, default_value = api::auth::DEFAULT_TENANT)]
        tenant: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// An application permission to grant (repeatable), e.g. LifecycleWorkflows.ReadWrite.All.
        #[arg(long = "permission", value_name = "PERMISSION")]
        permissions: Vec<String>,
        /// Days the client secret is valid.
        #[arg(long, default_value_t = lifecycle::identity::DEFAULT_SECRET_DAYS)]
        secret_days: i64,
        /// Print `{"tenantId", "clientId", "clientSecret"}` as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List app registrations (of one tenant with --tenant).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Delete an app registration.
    Remove {
        #[command(flatten)]
        db: DatabaseArg,
        client_id: String,
    },
    /// Add a client secret to an app and print it once.
    AddSecret {
        #[command(flatten)]
        db: DatabaseArg,
        client_id: String,
        /// The secret's display name.
        #[arg(long)]
        name: Option<String>,
        /// Days the secret is valid.
        #[arg(long, default_value_t = lifecycle::identity::DEFAULT_SECRET_DAYS)]
        days: i64,
        #[arg(long)]
        json: bool,
    },
    /// Register a certificate (PEM or DER file) for client assertions.
    AddCert {
        #[command(flatten)]
        db: DatabaseArg,
        client_id: String,
        /// The certificate file.
        #[arg(long)]
        file: std::path::PathBuf,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) async fn tenant_command(command: TenantCommand) -> Result<(), CliError> {
    match command {
        TenantCommand::Add {
            db,
            domain,
            id,
            json,
        } => {
            let tenant = open_domain(&db.database)
                .await?
                .create_tenant(&domain, id.as_deref())
                .await?;
            if json {
                print_json(&api::identity::tenant_json(&tenant));
            } else {
                println!("{}", tenant.id);
            }
        }
        TenantCommand::List { db, json } => {
            let tenants = open_domain(&db.database).await?.tenants().await?;
            if json {
                print_json(&serde_json::Value::Array(
                    tenants.iter().map(api::identity::tenant_json).collect(),
                ));
            } else {
                for t in tenants {
                    println!("{}  {}", t.id, t.domain);
                }
            }
        }
        TenantCommand::Remove { db, tenant } => {
            open_domain(&db.database)
                .await?
                .delete_tenant(&tenant)
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn app_command(command: AppCommand) -> Result<(), CliError> {
    match command {
        AppCommand::Add {
            db,
            tenant,
            name,
            permissions,
            secret_days,
            json,
        } => {
            let new = lifecycle::identity::NewRegistration {
                tenant_id: tenant,
                display_name: name,
                permissions,
                secret_days,
            };
            let r = open_domain(&db.database).await?.register_app(&new).await?;
            if json {
                print_json(&serde_json::json!({
                    "tenantId": r.app.tenant_id,
                    "clientId": r.app.client_id,
                    "clientSecret": r.secret.text,
                }));
            } else {
                println!("tenant id:     {}", r.app.tenant_id);
                println!("client id:     {}", r.app.client_id);
                println!(
                    "client secret: {} (shown once; valid until {})",
                    r.secret.text,
                    model::time::format_datetime(r.secret.expires_at)
                );
            }
        }
        AppCommand::List { db, tenant, json } => {
            let apps = open_domain(&db.database)
                .await?
                .apps(tenant.as_deref())
                .await?;
            if json {
                print_json(&serde_json::Value::Array(
                    apps.iter().map(api::identity::app_json).collect(),
                ));
            } else {
                for a in apps {
                    println!(
                        "{}  {}  {}  {}",
                        a.client_id,
                        a.tenant_id,
                        a.display_name,
                        a.permissions.join(" ")
                    );
                }
            }
        }
        AppCommand::Remove { db, client_id } => {
            open_domain(&db.database)
                .await?
                .remove_app(&client_id)
                .await?;
        }
        AppCommand::AddSecret {
            db,
            client_id,
            name,
            days,
            json,
        } => {
            let secret = open_domain(&db.database)
                .await?
                .add_app_secret(
                    &client_id,
                    name.as_deref(),
                    lifecycle::identity::SecretLifetime::Days(days),
                )
                .await?;
            if json {
                print_json(&api::identity::secret_json(&secret));
            } else {
                println!("{}", secret.text);
            }
        }
        AppCommand::AddCert {
            db,
            client_id,
            file,
            json,
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| CliError::Config(format!("cannot read '{}': {e}", file.display())))?;
            let cert = open_domain(&db.database)
                .await?
                .add_app_certificate(&client_id, &bytes)
                .await?;
            if json {
                print_json(&api::identity::certificate_json(&cert));
            } else {
                println!("{}", cert.thumbprint_sha1);
            }
        }
    }
    Ok(())
}
