// A downtown skyline at dusk, overworked: many brown, olive and grey layers stacked on top of each other.
function setup() {
  createCanvas(512, 512, WEBGL);
  background('#f6f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.6, 0.5);
  let cols = ['#6b5a3e', '#5e6a4a', '#7a6a5c', '#4e4a44', '#8a6d4b', '#5a5548'];
  // sky painted with the same muddy tones
  brush.fill('#7f7357', 200);
  brush.rect(-256, -256, 512, 300);
  brush.fill('#6e6f5a', 180);
  brush.rect(-256, -200, 512, 300);
  // buildings, overpainted several times in different colours
  for (let k = 0; k < 3; k++) {
    for (let i = 0; i < 9; i++) {
      brush.fill(cols[(i + k) % cols.length], 200);
      let x = -250 + i * 56 + random(-10, 10);
      let h = random(120, 260);
      brush.rect(x, 80 - h, 60, h + 40);
    }
  }
  // ground
  brush.fill('#4f4636', 220);
  brush.rect(-256, 80, 512, 176);
  brush.fill('#6b5a3e', 200);
  brush.rect(-256, 120, 512, 136);
  // scribbled windows in grey
  brush.set('charcoal', '#3b3833', 1.2);
  for (let i = 0; i < 40; i++) {
    let x = random(-240, 240), y = random(-150, 70);
    brush.line(x, y, x + random(-20, 20), y + random(-20, 20));
  }
}
