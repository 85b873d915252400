//! `cargo bench -p server --bench password`: the cost of one argon2id verification (OWASP
//! parameters) through the server's hasher, sequentially and with both cores busy.

use std::time::{Duration, Instant};

use app::account::Password;
use server::auth::password::PasswordHasher;

const SAMPLES: usize = 40;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let hasher = PasswordHasher::default();
        let password = Password::new("correct horse battery staple".into()).unwrap();
        let hash = hasher.hash(&password).await.unwrap();
        hasher.verify(&password, Some(&hash)).await.unwrap();

        let mut samples = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            assert!(hasher.verify(&password, Some(&hash)).await.unwrap());
            samples.push(started.elapsed());
        }
        report("verify, one at a time", &mut samples);

        let started = Instant::now();
        let tasks: Vec<_> = (0..SAMPLES)
            .map(|_| {
                let (hasher, password, hash) = (hasher.clone(), password.clone(), hash.clone());
                tokio::spawn(async move { hasher.verify(&password, Some(&hash)).await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        println!(
            "verify, {SAMPLES} concurrent: {:.1} verifications/s on {} cores",
            SAMPLES as f64 / elapsed.as_secs_f64(),
            std::thread::available_parallelism().map_or(1, usize::from)
        );
    });
}

fn report(label: &str, samples: &mut [Duration]) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label}: median {:.1} ms, p90 {:.1} ms, min {:.1} ms ({} samples)",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 9 / 10]),
        ms(samples[0]),
        samples.len()
    );
}
