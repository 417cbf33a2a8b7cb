use proc_macro::TokenStream; #[proc_macro] pub fn tokens(_i: TokenStream) -> TokenStream { TokenStream::new() }
