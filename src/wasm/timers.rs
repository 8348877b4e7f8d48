//! Timers from the global object (`setTimeout` exists in every runtime; `window`
//! does not), and the core's [`Pause`] on top of them.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use super::convert::global_property;
use crate::client::Pause;

/// A pending `setTimeout`, cleared when dropped.
pub struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn start(ms: f64, callback: Closure<dyn FnMut()>) -> Option<Timer> {
        let id = set_timeout(callback.as_ref(), ms)?;
        Some(Timer {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// `setTimeout(callback, ms)`: its id, or `None` where there is no `setTimeout`.
pub fn set_timeout(callback: &JsValue, ms: f64) -> Option<JsValue> {
    // setTimeout fires at once for delays past 2^31 - 1 ms: clamp, don't overflow.
    let ms = ms.clamp(0.0, 2_147_483_647.0);
    let set: Function = global_property("setTimeout").dyn_into().ok()?;
    set.call2(&JsValue::UNDEFINED, callback, &JsValue::from_f64(ms))
        .ok()
}

pub fn clear_timeout(id: &JsValue) {
    if let Ok(clear) = global_property("clearTimeout").dyn_into::<Function>() {
        let _ = clear.call1(&JsValue::UNDEFINED, id);
    }
}

/// Backoff sleeps that end early when the caller aborts, so an abort during a
/// backoff is felt at once rather than after the wait.
pub struct JsPause {
    pub signal: Option<AbortSignal>,
}

impl Pause for JsPause {
    async fn sleep(&self, ms: f64) {
        // A signal that is already aborted fires no more `abort` events.
        if self.signal.as_ref().is_some_and(AbortSignal::aborted) {
            return;
        }
        let mut timer = None;
        let mut on_abort = None;
        let promise = Promise::new(&mut |resolve, _| {
            let wake = resolve.clone();
            timer = Timer::start(
                ms,
                // `new`, not `once`: resolving twice is harmless, and `once` brings
                // wasm-bindgen's "called more than once" guard into the .wasm.
                Closure::<dyn FnMut()>::new(move || {
                    let _ = wake.call0(&JsValue::UNDEFINED);
                }),
            );
            if let Some(signal) = &self.signal {
                let listener = Closure::<dyn FnMut()>::new(move || {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                });
                let _ = signal
                    .add_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
                on_abort = Some(listener);
            }
        });
        if timer.is_some() {
            let _ = JsFuture::from(promise).await;
        }
        if let (Some(signal), Some(listener)) = (&self.signal, &on_abort) {
            let _ = signal
                .remove_event_listener_with_callback("abort", listener.as_ref().unchecked_ref());
        }
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}
