// A coral-orange rose with a curving stem and two leaves, spiralling petals outlined in warm pencil.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7f1e6');

  brush.noFill();
  brush.set('charcoal', '#4f6b3a', 1.2);
  brush.spline([[-10, 60], [-30, 150], [20, 250]], 0.6);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.35);
  brush.fill('#5f8a48', 190);
  brush.polygon([[-25, 140], [-130, 110], [-180, 140], [-90, 165]]);
  brush.fill('#4a7440', 190);
  brush.polygon([[-20, 190], [80, 150], [140, 170], [50, 205]]);

  translate(-5, -40);
  brush.fillBleed(0.35);
  brush.fillTexture(0.5, 0.5);
  brush.fill('#f39a72', 210);
  brush.circle(0, 0, 120, 0.5);
  brush.fill('#ee8256', 170);
  brush.circle(-10, 10, 95, 0.6);
  brush.fillBleed(0.15);
  brush.fill('#d9603e', 190);
  brush.circle(5, -5, 55, 0.6);
  brush.fill('#b8432c', 200);
  brush.circle(4, -6, 24, 0.6);

  brush.noFill();
  brush.set('HB', '#9c3a22', 0.8);
  let r = 110;
  let a = 20;
  for (let k = 0; k < 8; k++) {
    brush.arc(random(-6, 6), random(-6, 6), r, a, a + 140);
    a += 125;
    r *= 0.78;
  }
}
