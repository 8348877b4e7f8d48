//! Timers from the global object (`setTimeout` exists in every runtime; `window`
//! does not), and the core's [`Pause`] on top of them.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::convert::global_property;
use crate::client::Pause;

/// A pending `setTimeout`, cleared when dropped.
pub struct Timer {
    id: JsValue,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn start(ms: f64, callback: Closure<dyn FnMut()>) -> Option<Timer> {
        let set: Function = global_property("setTimeout").dyn_into().ok()?;
        let id = set
            .call2(
                &JsValue::UNDEFINED,
                callback.as_ref(),
                &JsValue::from_f64(ms),
            )
            .ok()?;
        Some(Timer {
            id,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Ok(clear) = global_property("clearTimeout").dyn_into::<Function>() {
            let _ = clear.call1(&JsValue::UNDEFINED, &self.id);
        }
    }
}

pub struct JsPause;

impl Pause for JsPause {
    async fn sleep(&self, ms: f64) {
        let mut timer = None;
        let promise = Promise::new(&mut |resolve, _| {
            let done = Closure::once(move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            });
            timer = Timer::start(ms, done);
        });
        if timer.is_some() {
            let _ = JsFuture::from(promise).await;
        }
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }
}
