//! Identity ids and temporary credentials, signed in and as a guest.

use std::sync::Arc;

use coffer_core::{Error, IdentityMode, SecretStore};

use crate::support::start_cloud;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_identity_is_stable_stored_and_names_the_prefix() {
    let cloud = start_cloud().await;
    let (client, store) = cloud.client();
    cloud.signed_in(&client, "ada@example.com").await;
    let who = client.whoami().await.unwrap();
    assert_eq!(
        who.identity_id, None,
        "not known before the identity pool is used"
    );

    let credentials = client.identity_credentials(IdentityMode::SignedIn).unwrap();
    let id = credentials.identity_id().await.unwrap();
    assert!(id.starts_with("us-east-1:"), "{id}");
    assert_ne!(id, who.sub, "the identity id is not the user-pool sub");
    assert_eq!(
        credentials.prefix().await.unwrap(),
        format!("private/{id}/")
    );

    // Stored in the keychain under the user's key; whoami shows it.
    let key = client
        .identity_store_key(IdentityMode::SignedIn, Some(&who.sub))
        .unwrap();
    assert_eq!(
        store.load(&key).unwrap().as_deref().map(String::as_str),
        Some(id.as_str())
    );
    assert_eq!(
        client.whoami().await.unwrap().identity_id.as_deref(),
        Some(id.as_str())
    );

    // A new process (new client, same keychain) gets the same identity.
    let again = cloud.client_with(store.clone());
    let credentials_again = again.identity_credentials(IdentityMode::SignedIn).unwrap();
    assert_eq!(credentials_again.identity_id().await.unwrap(), id);

    // Even with the keychain entry gone, Cognito answers GetId with the same identity.
    store.delete(&key).unwrap();
    let fresh = cloud.client_with(store.clone());
    let fresh_credentials = fresh.identity_credentials(IdentityMode::SignedIn).unwrap();
    assert_eq!(fresh_credentials.identity_id().await.unwrap(), id);

    // Credentials carry a session token and an expiry.
    let issued = credentials.credentials().await.unwrap();
    assert!(issued.session_token().is_some());
    assert!(issued.expiry().is_some());
    assert!(!format!("{issued:?}").contains(issued.secret_access_key()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_cached_and_renewed_one_at_a_time() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    cloud.signed_in(&client, "grace@example.com").await;
    let credentials = client.identity_credentials(IdentityMode::SignedIn).unwrap();
    // Sixteen callers at once: one GetCredentialsForIdentity.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let credentials = credentials.clone();
        tasks.spawn(async move {
            credentials
                .credentials()
                .await
                .map(|c| c.access_key_id().to_owned())
        });
    }
    let mut keys = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        keys.push(joined.unwrap().unwrap());
    }
    assert_eq!(credentials.renewals(), 1);
    assert!(keys.windows(2).all(|pair| pair[0] == pair[1]));

    // A token refresh makes the next call renew the credentials (with the new ID token).
    client.refresh().await.unwrap();
    let after_refresh = credentials.credentials().await.unwrap();
    assert_eq!(credentials.renewals(), 2);
    assert_ne!(after_refresh.access_key_id(), keys[0]);
    // Invalidation (as after an ExpiredToken answer) renews too.
    credentials.invalidate().await;
    credentials.credentials().await.unwrap();
    assert_eq!(credentials.renewals(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_need_a_sign_in_unless_guest() {
    let cloud = start_cloud().await;
    let (client, _store) = cloud.client();
    let signed_in = client.identity_credentials(IdentityMode::SignedIn).unwrap();
    let error = signed_in.credentials().await.unwrap_err();
    assert!(matches!(error, Error::NotSignedIn), "{error:?}");
    let guest = client.identity_credentials(IdentityMode::Guest).unwrap();
    let id = guest.identity_id().await.unwrap();
    assert_eq!(guest.prefix().await.unwrap(), format!("guest/{id}/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_identity_is_kept_and_goes_to_the_user_who_signs_in() {
    let cloud = start_cloud().await;
    let (client, store) = cloud.client();
    let guest = client.identity_credentials(IdentityMode::Guest).unwrap();
    let guest_id = guest.identity_id().await.unwrap();
    // Kept: another process with the same keychain is the same guest.
    let same_guest = cloud.client_with(store.clone());
    assert_eq!(
        same_guest
            .identity_credentials(IdentityMode::Guest)
            .unwrap()
            .identity_id()
            .await
            .unwrap(),
        guest_id
    );

    // Signing in (a user with no identity yet) takes the guest identity over.
    cloud.signed_in(&client, "linus@example.com").await;
    let user = client.identity_credentials(IdentityMode::SignedIn).unwrap();
    assert_eq!(user.identity_id().await.unwrap(), guest_id);
    let guest_key = client
        .identity_store_key(IdentityMode::Guest, None)
        .unwrap();
    assert!(
        store.load(&guest_key).unwrap().is_none(),
        "the guest id is the user's now"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_with_an_identity_gets_their_own_back_after_guest_use() {
    let cloud = start_cloud().await;
    // The user gets an identity on one device…
    let (first_device, _store) = cloud.client();
    cloud.signed_in(&first_device, "margaret@example.com").await;
    let own_id = first_device
        .identity_credentials(IdentityMode::SignedIn)
        .unwrap()
        .identity_id()
        .await
        .unwrap();
    // …then is a guest on another, and signs in there.
    let store = Arc::new(coffer_core::MemoryStore::new());
    let second_device = cloud.client_with(store.clone());
    let guest_id = second_device
        .identity_credentials(IdentityMode::Guest)
        .unwrap()
        .identity_id()
        .await
        .unwrap();
    assert_ne!(guest_id, own_id);
    crate::support::sign_in(&second_device, "margaret@example.com").await;
    let user = second_device
        .identity_credentials(IdentityMode::SignedIn)
        .unwrap();
    assert_eq!(user.identity_id().await.unwrap(), own_id);
    assert_eq!(user.prefix().await.unwrap(), format!("private/{own_id}/"));
}
